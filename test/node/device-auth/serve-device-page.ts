// Serves the device page on its own loopback origin: the HTML fixture, the built package
// (dist/) and its two dependencies from node_modules — nothing else, and never a path outside them.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');
const SERVED = ['dist/', 'node_modules/jose/dist/webapi/', 'node_modules/idb-keyval/dist/'];
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.map': 'application/json', '.html': 'text/html' };

export async function serveDevicePage(): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '');
    const file = path === '' ? join(import.meta.dirname, 'device-page.html') : join(ROOT, path);
    if ((path !== '' && !SERVED.some((dir) => path.startsWith(dir))) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[/\.\w+$/.exec(file)?.[0] ?? ''] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
