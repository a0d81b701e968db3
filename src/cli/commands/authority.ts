import type { Command } from 'commander';
import { CliError, report } from '../output.js';

interface LocationOptions {
  data?: string;
  databaseUrl?: string;
}

/** The database the flags name: PostgreSQL URL, or PGlite under a directory (default ./offline-consent-data). */
function location(opts: LocationOptions): { databaseUrl: string } | { dataDir: string } {
  if (opts.data && opts.databaseUrl) throw new CliError('give --data or --database-url, not both', 2);
  const databaseUrl = opts.databaseUrl ?? process.env.OFFLINE_CONSENT_DATABASE_URL;
  return databaseUrl ? { databaseUrl } : { dataDir: opts.data ?? 'offline-consent-data' };
}

/** `--cors-origin` values: each an origin (`https://app.example`, no path), or `*`. */
function corsOrigin(value: string, previous: string[] = []): string[] {
  if (value !== '*') {
    const url = URL.canParse(value) ? new URL(value) : null;
    if (!url || url.origin === 'null' || url.origin !== value.replace(/\/$/, '')) throw new CliError(`--cors-origin ${value} is not an origin such as https://app.example`, 2);
  }
  return [...previous, value.replace(/\/$/, '')];
}

/** A PGlite data folder another live process has open: one line naming it, exit 2. */
async function lockedAs2<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'DATA_DIR_LOCKED') throw new CliError(`${(error as Error).message}; stop it first (one process per data folder)`, 2);
    throw error;
  }
}

// The server's packages are optional peers: load them only for these commands.
async function loadAuthority() {
  try {
    return await import('../../authority/index.js');
  } catch (cause) {
    throw new CliError(`the authority needs its optional packages: npm install hono @hono/node-server @electric-sql/pglite pg (${(cause as Error).message})`, 2);
  }
}

/** Registers `authority serve`, `authority init` and `keys rotate`. */
export function registerAuthority(program: Command): void {
  const authority = program.command('authority').description('the self-hostable authority server');

  authority
    .command('serve')
    .description('serve the authority REST API (docs/PROTOCOL.md §5, §7–§9) until interrupted')
    .option('--port <port>', 'TCP port (0 picks a free one)', '8787')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--data <dir>', 'PGlite data directory (default ./offline-consent-data)')
    .option('--database-url <url>', 'PostgreSQL URL instead of PGlite (env OFFLINE_CONSENT_DATABASE_URL)')
    .option('--api-key <key>', 'register this API key for the default developer (env OFFLINE_CONSENT_API_KEY)')
    .option('--public-url <url>', 'base URL devices reach this server at (default: the listening URL)')
    .option('--cors-origin <origin>', 'a web origin whose pages may call the device endpoints (repeatable; * for any)', corsOrigin)
    .option('--no-console', 'turn the operator web console at /console off')
    .option('--json', 'print the listening address as JSON')
    .action(async (opts: LocationOptions & { port: string; host: string; apiKey?: string; publicUrl?: string; corsOrigin?: string[]; console: boolean; json?: boolean }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`invalid --port ${opts.port}`, 2);
      const { startAuthority } = await loadAuthority();
      const apiKey = opts.apiKey ?? process.env.OFFLINE_CONSENT_API_KEY;
      const server = await lockedAs2(() => startAuthority({
        ...location(opts),
        port,
        host: opts.host,
        ...(apiKey ? { apiKey } : {}),
        ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
        ...(opts.corsOrigin ? { corsOrigins: opts.corsOrigin.includes('*') ? ('*' as const) : opts.corsOrigin } : {}),
        ...(opts.console ? {} : { console: false }),
      }));
      report(!!opts.json, { url: server.url, port: server.port }, () => `authority listening on ${server.url}${opts.console ? `; console at ${server.url}/console` : ''} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  authority
    .command('init')
    .description('prepare the database and create a developer with a fresh API key (printed once)')
    .option('--data <dir>', 'PGlite data directory (default ./offline-consent-data)')
    .option('--database-url <url>', 'PostgreSQL URL instead of PGlite')
    .option('--name <name>', 'developer name', 'developer')
    .option('--json', 'machine-readable output')
    .action(async (opts: LocationOptions & { name: string; json?: boolean }) => {
      const { initAuthority } = await loadAuthority();
      const { developerId, apiKey } = await lockedAs2(() => initAuthority({ ...location(opts), name: opts.name }));
      report(!!opts.json, { developerId, apiKey }, () => `developer ${developerId}\nAPI key (shown once, keep it secret): ${apiKey}`);
    });

  program
    .command('keys')
    .description('the issuer\'s signing keys')
    .command('rotate')
    .description('rotate the RS256 signing key in the database: new tokens use a new key, the old one stays published until its tokens expire')
    .option('--data <dir>', 'PGlite data directory (default ./offline-consent-data; stop its server first)')
    .option('--database-url <url>', 'PostgreSQL URL instead of PGlite (running instances pick the new key up)')
    .option('--json', 'machine-readable output')
    .action(async (opts: LocationOptions & { json?: boolean }) => {
      const { rotateAuthorityKeys } = await loadAuthority();
      const rotated = await lockedAs2(() => rotateAuthorityKeys(location(opts)));
      report(!!opts.json, rotated, () => `signing key ${rotated.kid} is now active${rotated.retiredKid ? `; ${rotated.retiredKid} retired (still published until its tokens expire)` : ''}`);
    });
}
