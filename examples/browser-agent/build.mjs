// Builds the browser-agent page with esbuild: main.js and offline-consent (resolved through the
// package's `browser` export condition, so its IndexedDB storage comes along) bundled into one
// ES module, app.js, beside a copy of index.html.
//   node examples/browser-agent/build.mjs [--outdir DIR] [--serve PORT]
import { context } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { outdir: { type: 'string', default: join(here, 'dist') }, serve: { type: 'string' } } });
const outdir = resolve(values.outdir);

mkdirSync(outdir, { recursive: true });
copyFileSync(join(here, 'index.html'), join(outdir, 'index.html'));
const ctx = await context({
  entryPoints: [join(here, 'main.js')],
  outfile: join(outdir, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser', // applies the `browser` condition: `offline-consent` is dist/browser.js
  target: 'es2022',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});

try {
  await ctx.rebuild();
  console.log(`built ${join(outdir, 'app.js')} and index.html`);
  if (values.serve === undefined) await ctx.dispose();
  else {
    const { port } = await ctx.serve({ servedir: outdir, host: '127.0.0.1', port: Number(values.serve) });
    console.log(`serving http://127.0.0.1:${port}/?authority=http://127.0.0.1:8787&code=oce_… (Ctrl-C to stop)`);
  }
} catch (error) {
  await ctx.dispose();
  console.error(`browser-agent build failed: ${error.message.split('\n')[0]}`);
  process.exitCode = 1;
}
