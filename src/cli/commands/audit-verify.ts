import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { verifyChain, type SignedAuditEntry } from '../../index.js';
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
    .requiredOption('--public-key <file>', 'the bundle audit public key: PEM (SPKI) or JWK file')
    .option('--json', 'machine-readable output')
    .action(async (log: string, opts: { publicKey: string; json?: boolean }) => {
      const publicKey = await readPublicKey(opts.publicKey);
      const bar = createProgress('verifying', 100, !opts.json);
      const entries = readJsonLines(log, (read, total) => bar.update(total ? Math.round((read / total) * 100) : 100));
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
      const result = await verifyChain(tracked(), { publicKey });
      bar.stop();
      const ms = Math.round(performance.now() - started);
      if (result.valid) {
        report(!!opts.json, { valid: true, count: result.count, ms }, () => `✓ ${log}: ${result.count} entries, chain and signatures valid (${ms} ms)`);
        return;
      }
      const seq = recentSeqs.get(result.brokenAt);
      report(!!opts.json, { valid: false, brokenAt: result.brokenAt, seq, reason: result.reason }, () => `✗ ${log}: chain broken at seq ${String(seq)} (entry ${result.brokenAt + 1}): ${result.reason}`);
      throw new CliError('audit log does not verify', 1);
    });
}
