// `offline-consent` command line. Each sub-command lives in ./commands.
import { Command, CommanderError } from 'commander';
import { registerAuditAcceptTruncation } from './commands/audit-accept-truncation.js';
import { registerAuditExport } from './commands/audit-export.js';
import { registerAuditVerify } from './commands/audit-verify.js';
import { registerAgent } from './commands/agent.js';
import { registerApiKey } from './commands/apikey.js';
import { registerBundleAdmin } from './commands/bundle-admin.js';
import { registerAuthority } from './commands/authority.js';
import { registerBundleInspect } from './commands/bundle-inspect.js';
import { registerDemo } from './commands/demo.js';
import { registerEnroll } from './commands/enroll.js';
import { exitFor } from './exit.js';
import { redactHeld } from './secrets.js';
import { cliVersion } from './version.js';

const program = new Command('offline-consent')
  .description('Offline authorization for on-device AI agents: authority server, demo and audit tools')
  .version(cliVersion(), '-V, --version', 'print the version')
  .showHelpAfterError()
  .exitOverride();

registerDemo(program);
registerAuthority(program);
registerEnroll(program);
registerAgent(program);
registerApiKey(program);
const bundle = program.command('bundle').description('consent bundle tools');
registerBundleInspect(bundle);
registerBundleAdmin(bundle);
const audit = program.command('audit').description('audit log tools');
registerAuditVerify(audit);
registerAuditAcceptTruncation(audit);
registerAuditExport(audit);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its own line (usage, --help, --version); help and version are not failures.
    process.exit(['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? 0 : 2);
  }
  const { message, exitCode } = exitFor(error);
  process.stderr.write(`offline-consent: ${redactHeld(message)}\n`);
  process.exit(exitCode);
}
