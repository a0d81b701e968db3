import type { Command } from 'commander';

/** Adds the options every admin verb takes: `--url`, `--api-key-file`, `--json`. */
export function withAdminOptions(command: Command): Command {
  return command
    .requiredOption('--url <url>', 'authority base URL')
    .option('--api-key-file <file>', 'file holding the API key (mode 600); default $OFFLINE_CONSENT_API_KEY')
    .option('--json', 'machine-readable output');
}
