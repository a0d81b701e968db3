import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadBundle, verifyChain, type AuditKeySpan, type SignedAuditEntry } from '../../node.js';
import { BUNDLE_KEY_ENV, readBundleKey } from '../bundle-key.js';
import { CliError, report } from '../output.js';
import { createProgress } from '../progress.js';
import { readJsonLines } from '../read-jsonl.js';

/** Reads a public key file: PEM text, or a JWK as JSON. */
async function readPublicKey(path: string): Promise<string | JsonWebKey> {
  const text = (await readFile(path, 'utf8')).trim();
  if (text.startsWith('{')) return JSON.parse(text) as JsonWebKey;
  return text;
}

export function registerAuditVerify(audit: Command): void {
  audit
    .command('verify')
    .description('check an audit log (JSON Lines): hash chain, sequence and Ed25519 signatures')
    .argument('<log>', 'path of the JSONL audit log')
    .option('--public-key <file>', 'the bundle audit public key: PEM (SPKI) or JWK file')
    .option('--bundle <file>', 'the sealed bundle: its audit key spans (or its one key) check the log')
    .option('--key-env <name>', 'environment variable holding the bundle key', BUNDLE_KEY_ENV)
    .option('--json', 'machine-readable output')
    .action(async (log: string, opts: { publicKey?: string; bundle?: string; keyEnv: string; json?: boolean }) => {
      if (!opts.publicKey === !opts.bundle) throw new CliError('give --public-key FILE or --bundle FILE', 2);
      let keys: { publicKey: string | JsonWebKey } | { keys: AuditKeySpan[] };
      if (opts.bundle) {
        const bundle = await loadBundle(opts.bundle, await readBundleKey(opts.keyEnv));
        keys = bundle.auditKeySpans?.length ? { keys: bundle.auditKeySpans } : { publicKey: bundle.offlineAuditKey.publicKey };
      } else keys = { publicKey: await readPublicKey(opts.publicKey!) };
      const bar = createProgress('verifying', 100, !opts.json);
      // Lock-free: it works while a writer holds the log, on the complete lines as they stand now.
      let tailBytes = 0;
      const entries = readJsonLines(log, (read, total) => bar.update(total ? Math.round((read / total) * 100) : 100), (n) => (tailBytes = n));
      // verifyChain reports an index; remember recent seqs to name the broken entry's seq.
      const recentSeqs = new Map<number, unknown>();
      async function* tracked() {
        let index = 0;
        for await (const e of entries) {
          recentSeqs.set(index, (e as { seq?: unknown })?.seq);
          recentSeqs.delete(index - 1024);
          index++;
          yield e as SignedAuditEntry;
        }
      }
      const started = performance.now();
      const result = await verifyChain(tracked(), keys);
      bar.stop();
      const ms = Math.round(performance.now() - started);
      if (result.valid) {
        const tail = tailBytes ? `; an unfinished last line of ${tailBytes} bytes (a write in flight or cut by a crash) was not checked` : '';
        report(!!opts.json, { valid: true, count: result.count, ms, ...(tailBytes ? { tailBytes } : {}) }, () => `✓ ${log}: ${result.count} entries, chain and signatures valid (${ms} ms)${tail}`);
        return;
      }
      const seq = recentSeqs.get(result.brokenAt);
      report(!!opts.json, { valid: false, brokenAt: result.brokenAt, seq, reason: result.reason }, () => `✗ ${log}: chain broken at seq ${String(seq)} (entry ${result.brokenAt + 1}): ${result.reason}`);
      throw new CliError('audit log does not verify', 1);
    });
}
