import type { Command } from 'commander';
import { loadBundle, verifyChain, type AuditKeySpan, type SignedAuditEntry } from '../../node.js';
import { BUNDLE_KEY_ENV, readBundleKey } from '../bundle-key.js';
import { CliError, report } from '../output.js';
import { createProgress } from '../progress.js';
import { readInputFile } from '../read-input.js';
import { readJsonLines } from '../read-jsonl.js';

/** Marks a line that did not parse as JSON. */
const NOT_JSON = Symbol('not JSON');

/** Reads a public key file: PEM text, or a JWK as JSON. */
async function readPublicKey(path: string): Promise<string | JsonWebKey> {
  const text = (await readInputFile(path)).toString('utf8').trim();
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text) as JsonWebKey;
    } catch {
      throw new CliError(`${path} is neither a PEM public key nor a JWK (its JSON does not parse)`, 2);
    }
  }
  return text;
}

/** Reads a key-spans file: a JSON array of `{fromSeq, toSeq, publicKey}`. */
async function readKeySpans(path: string): Promise<AuditKeySpan[]> {
  let spans: unknown;
  try {
    spans = JSON.parse((await readInputFile(path)).toString('utf8'));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${path} is not JSON: expected [{fromSeq, toSeq, publicKey}] as audit export writes it`, 2);
  }
  const ok = Array.isArray(spans) && spans.length > 0 && spans.every((s) => Number.isInteger(s?.fromSeq) && (s.toSeq === null || Number.isInteger(s.toSeq)) && typeof s.publicKey === 'string');
  if (!ok) throw new CliError(`${path} holds no key spans: expected [{fromSeq, toSeq, publicKey}] as audit export writes it`, 2);
  return spans as AuditKeySpan[];
}

/** Registers `audit verify`. */
export function registerAuditVerify(audit: Command): void {
  audit
    .command('verify')
    .description('check an audit log (JSON Lines): hash chain, sequence and Ed25519 signatures')
    .argument('<log>', 'path of the JSONL audit log')
    .option('--public-key <file>', 'the bundle audit public key: PEM (SPKI) or JWK file')
    .option('--bundle <file>', 'the sealed bundle: its audit key spans (or its one key) check the log')
    .option('--keys <file>', 'key spans as JSON ([{fromSeq, toSeq, publicKey}], as `audit export` writes them)')
    .option('--key-env <name>', 'environment variable holding the bundle key', BUNDLE_KEY_ENV)
    .option('--json', 'machine-readable output')
    .action(async (log: string, opts: { publicKey?: string; bundle?: string; keys?: string; keyEnv: string; json?: boolean }) => {
      if ([opts.publicKey, opts.bundle, opts.keys].filter(Boolean).length !== 1) throw new CliError('give one of --public-key FILE, --bundle FILE or --keys FILE', 2);
      let keys: { publicKey: string | JsonWebKey } | { keys: AuditKeySpan[] };
      if (opts.keys) keys = { keys: await readKeySpans(opts.keys) };
      else if (opts.bundle) {
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
          recentSeqs.set(index, (e as { unparsable?: unknown })?.unparsable !== undefined ? NOT_JSON : (e as { seq?: unknown })?.seq);
          recentSeqs.delete(index - 1024);
          index++;
          yield e as SignedAuditEntry;
        }
      }
      const started = performance.now();
      const result = await verifyChain(tracked(), keys);
      bar.stop();
      const ms = Math.round(performance.now() - started);
      if (result.valid && result.count === 0) {
        const why = tailBytes ? `it holds no complete line, only ${tailBytes} bytes with no newline (not a JSON Lines audit log?)` : 'it is empty';
        report(!!opts.json, { valid: false, count: 0, reason: 'no entries', ...(tailBytes ? { tailBytes } : {}) }, () => `✗ ${log}: nothing to verify: ${why}`);
        throw new CliError('audit log has no entries', 1);
      }
      if (result.valid) {
        const tail = tailBytes ? `; an unfinished last line of ${tailBytes} bytes (a write in flight or cut by a crash) was not checked` : '';
        report(!!opts.json, { valid: true, count: result.count, ms, ...(tailBytes ? { tailBytes } : {}) }, () => `✓ ${log}: ${result.count} entries, chain and signatures valid (${ms} ms)${tail}`);
        return;
      }
      const seq = recentSeqs.get(result.brokenAt);
      const entry = result.brokenAt + 1; // 1-based, as people count lines; brokenAt stays the 0-based index
      const human = seq === NOT_JSON ? `entry ${entry} is not JSON (a torn or foreign line)`
        : typeof seq === 'number' ? `chain broken at entry ${entry} (seq ${seq}): ${result.reason}`
        : `entry ${entry} is not an audit entry (bad or missing field: ${result.reason})`;
      report(!!opts.json, { valid: false, brokenAt: result.brokenAt, entry, seq: typeof seq === 'number' ? seq : null, reason: seq === NOT_JSON ? 'not JSON' : result.reason }, () => `✗ ${log}: ${human}`);
      throw new CliError('audit log does not verify', 1);
    });
}
