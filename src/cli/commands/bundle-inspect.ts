import type { Command } from 'commander';
import { decodeJwt } from 'jose';
import { detectBundleFormat, openBundle, shouldRefresh } from '../../node.js';
import { sha256Hex } from '../../crypto/sha256.js';
import { pemToDer } from '../../crypto/pem.js';
import { report } from '../output.js';
import { readInputFile } from '../read-input.js';

/** A legacy file's 12-byte IV and 16-byte GCM tag around at least one byte. */
const LEGACY_MIN_BYTES = 29;

/** What can be told about sealed bytes without the key. */
function describeLayout(bytes: Uint8Array): Record<string, unknown> {
  const format = detectBundleFormat(bytes);
  const info: Record<string, unknown> = { format, bytes: bytes.length };
  if (format === 'own') {
    info.version = bytes[3];
    info.kdf = bytes[4] === 1 ? 'PBKDF2-SHA-256' : bytes[4] === 0 ? 'none (raw key or CryptoKey)' : `unknown (${bytes[4]})`;
    if (bytes[4] === 1 && bytes.length >= 9) info.iterations = new DataView(bytes.buffer, bytes.byteOffset + 5, 4).getUint32(0);
  } else if (format === 'scrypt') info.kdf = 'scrypt N=2^17 r=8 p=1 (needs a scrypt function to open)';
  else if (format === 'legacy') {
    // Upstream's legacy file has no magic bytes: any bytes could be one, until a key opens them.
    if (bytes.length < LEGACY_MIN_BYTES) info.format = 'not a bundle (too short for any format)';
    else {
      info.kdf = 'SHA-256 of the passphrase (upstream 0.1.x)';
      info.note = 'no magic bytes: upstream legacy file, or not a bundle at all; only its key can tell';
    }
  }
  else info.kdf = 'none (64-hex raw key, upstream Python)';
  return info;
}

/** ISO text of a Unix-ms time, or null when no Date can hold it (a hostile `exp` must not crash the report). */
function isoTime(ms: number): string | null {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : null;
}

export function registerBundleInspect(bundle: Command): void {
  bundle
    .command('inspect')
    .description('describe a sealed bundle file; with a key, summarise it (never prints the private key or the token)')
    .argument('<file>', 'sealed bundle file')
    .option('--key <key>', 'passphrase or 64-hex key (or env OFFLINE_CONSENT_BUNDLE_KEY)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: { key?: string; json?: boolean }) => {
      const bytes = new Uint8Array(await readInputFile(file));
      const layout = describeLayout(bytes);
      const key = opts.key ?? process.env.OFFLINE_CONSENT_BUNDLE_KEY;
      if (!key) {
        report(!!opts.json, { file, ...layout }, () => Object.entries({ file, ...layout }).map(([k, v]) => `${k.padEnd(12)} ${String(v)}`).join('\n'));
        return;
      }
      const opened = await openBundle(bytes, key);
      const claims = decodeJwt(opened.grantToken);
      const summary = {
        file,
        ...layout,
        bundleId: opened.bundleId,
        agentDID: claims.agt,
        principal: claims.sub,
        grantId: claims.grnt ?? claims.jti,
        scopes: claims.scp,
        tokenExpiresAt: typeof claims.exp === 'number' ? isoTime(claims.exp * 1000) : null,
        offlineExpiresAt: opened.offlineExpiresAt,
        checkpointAt: isoTime(opened.checkpointAt),
        snapshotValidUntil: opened.jwksSnapshot.validUntil,
        signingKeys: opened.jwksSnapshot.keys.map((k) => k.kid),
        auditKeySha256: await sha256Hex(pemToDer(opened.offlineAuditKey.publicKey, 'PUBLIC KEY')),
        syncEndpoint: opened.syncEndpoint,
        shouldRefresh: shouldRefresh(opened),
      };
      report(!!opts.json, summary, () => Object.entries(summary).map(([k, v]) => `${k.padEnd(18)} ${Array.isArray(v) ? v.join(', ') : String(v)}`).join('\n'));
    });
}
