// `npm run playground`: serves the built page (and the demo app's backend) on one loopback
// port and the embedded authority, which the page calls directly, on another.
import { Command } from 'commander';
import { join } from 'node:path';
import { startPlayground } from './app.js';

const program = new Command('playground')
  .description('Serve the offline-consent playground (page + demo backend, and an embedded authority) on loopback')
  .option('--port <port>', 'port of the page', '8788')
  .option('--authority-port <port>', 'port of the authority (default: the page\'s port + 1, or a free one with --port 0)')
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--data <dir>', 'keep the authority database here across restarts (default: in memory)')
  .option('--models <dir>', 'serve local .task/.litertlm model files at /models/')
  .parse();

const opts = program.opts<{ port: string; authorityPort?: string; host: string; data?: string; models?: string }>();
const port = Number(opts.port);
const authorityPort = opts.authorityPort !== undefined ? Number(opts.authorityPort) : port === 0 ? 0 : port + 1;
const running = await startPlayground({
  pageDir: join(import.meta.dirname, '../page'),
  port,
  authorityPort,
  host: opts.host,
  ...(opts.data ? { dataDir: opts.data } : {}),
  ...(opts.models ? { modelsDir: opts.models } : {}),
}).catch((error: NodeJS.ErrnoException) => {
  console.error(error.code === 'EADDRINUSE' ? `Port ${port} or ${authorityPort} is in use: pass --port 0 for free ones.` : `Could not start: ${error.message}`);
  process.exit(1);
});
console.log(`offline-consent playground: ${running.url}`);
console.log(`authority (the page calls it directly): ${running.authorityUrl}`);
console.log(opts.data ? `authority data: ${opts.data}` : 'authority data: in memory (use --data DIR to keep it)');
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void running.close().then(() => process.exit(0)));
