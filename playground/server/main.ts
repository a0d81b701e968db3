// `npm run playground`: serves the built page and an embedded authority on one loopback port.
import { Command } from 'commander';
import { join } from 'node:path';
import { startPlayground } from './app.js';

const program = new Command('playground')
  .description('Serve the offline-consent playground (page + embedded authority) on loopback')
  .option('--port <port>', 'port to listen on', '8788')
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--data <dir>', 'keep the authority database here across restarts (default: in memory)')
  .option('--models <dir>', 'serve local .task/.litertlm model files at /models/')
  .parse();

const opts = program.opts<{ port: string; host: string; data?: string; models?: string }>();
const running = await startPlayground({
  pageDir: join(import.meta.dirname, '../page'),
  port: Number(opts.port),
  host: opts.host,
  ...(opts.data ? { dataDir: opts.data } : {}),
  ...(opts.models ? { modelsDir: opts.models } : {}),
}).catch((error: NodeJS.ErrnoException) => {
  console.error(error.code === 'EADDRINUSE' ? `Port ${opts.port} is in use: pass --port 0 for a free one.` : `Could not start: ${error.message}`);
  process.exit(1);
});
console.log(`offline-consent playground: ${running.url}`);
console.log(opts.data ? `authority data: ${opts.data}` : 'authority data: in memory (use --data DIR to keep it)');
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void running.close().then(() => process.exit(0)));
