import type { Command } from 'commander';
import { AuditLogTruncatedError, createOfflineAuditLog, loadBundle, readGrantIdentity, type AuditRecovery } from '../../node.js';
import { BUNDLE_KEY_ENV, readBundleKey } from '../bundle-key.js';
import { CliError, report } from '../output.js';

/**
 * `offline-consent audit accept-truncation LOG --bundle FILE`: opens a log that is behind its
 * high-water mark, appends the signed `audit.truncation_accepted` entry naming both heads
 * (signed with the bundle's audit key, so only the bundle's holder can) and rewrites the mark.
 */
export function registerAuditAcceptTruncation(audit: Command): void {
  audit
    .command('accept-truncation')
    .description('accept that an audit log was cut behind its high-water mark: appends a signed entry naming both heads')
    .argument('<log>', 'path of the JSONL audit log')
    .requiredOption('--bundle <file>', 'the sealed bundle whose audit key signs the log')
    .option('--key-env <name>', 'environment variable holding the bundle key', BUNDLE_KEY_ENV)
    .option('--json', 'machine-readable output')
    .action(async (log: string, opts: { bundle: string; keyEnv: string; json?: boolean }) => {
      const bundle = await loadBundle(opts.bundle, await readBundleKey(opts.keyEnv));
      const recoveries: AuditRecovery[] = [];
      const audit = createOfflineAuditLog({
        bundle,
        logPath: log,
        requireMark: false, // a log that lost its mark altogether adopts one here
        acceptTruncation: readGrantIdentity(bundle.grantToken),
        onRecover: (r) => recoveries.push(r),
      });
      try {
        const head = await audit.head();
        const accepted = recoveries.find((r) => r.kind === 'truncation-accepted');
        report(!!opts.json, { accepted: !!accepted, head }, () =>
          accepted ? `✓ ${log}: ${accepted.message}` : `${log}: not truncated (head seq ${head?.seq ?? 0}); nothing to accept`,
        );
      } catch (error) {
        if (error instanceof AuditLogTruncatedError) throw new CliError(error.message, 1);
        throw error;
      } finally {
        await audit.close();
      }
    });
}
