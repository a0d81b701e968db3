// `offline-consent` command line. Each sub-command lives in ./commands.
import { Command, CommanderError } from 'commander';
import { OfflineConsentError } from '../index.js';
import { registerAuditAcceptTruncation } from './commands/audit-accept-truncation.js';
import { registerAuditVerify } from './commands/audit-verify.js';
import { registerAuthority } from './commands/authority.js';
import { registerBundleInspect } from './commands/bundle-inspect.js';
import { registerDemo } from './commands/demo.js';
import { registerEnroll } from './commands/enroll.js';
import { CliError } from './output.js';

const program = new Command('offline-consent')
  .description('Offline authorization for on-device AI agents: authority server, demo and audit tools')
  .showHelpAfterError()
  .exitOverride();

registerDemo(program);
registerAuthority(program);
registerEnroll(program);
registerBundleInspect(program.command('bundle').description('consent bundle tools'));
const audit = program.command('audit').description('audit log tools');
registerAuditVerify(audit);
registerAuditAcceptTruncation(audit);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof CliError) {
    process.stderr.write(`offline-consent: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  const code = error instanceof OfflineConsentError ? ` [${error.code}]` : '';
  process.stderr.write(`offline-consent: ${error instanceof Error ? error.message : String(error)}${code}\n`);
  process.exit(2);
}
