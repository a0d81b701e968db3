// A page on loopback that loads the browser entry (built from src by esbuild) as `globalThis.oc`,
// for node tests that drive Debian's Chromium with Playwright.
import { build } from 'esbuild';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Serves the page; `extra` is more module code run after `oc` is set (test helpers in the page). */
export async function servePage(extra = ''): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = createServer(async (req, res) => {
    if (req.url === '/app.js') {
      const out = await build({
        stdin: { contents: `import * as oc from './src/browser.ts'; globalThis.oc = oc;\n${extra}`, resolveDir: resolve(import.meta.dirname, '../..'), loader: 'ts' },
        bundle: true, write: false, format: 'esm', platform: 'browser', conditions: ['browser'], logLevel: 'silent',
      });
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(out.outputFiles[0]!.text);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/app.js"></script>');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
