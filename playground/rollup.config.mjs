// Builds the playground: the page (one ES module plus lazy MediaPipe and Transformers.js chunks) and its server.
// The page imports `offline-consent` — the library's browser entry, built from source here.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import esbuild from 'rollup-plugin-esbuild';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const ENTRIES = { 'offline-consent': here('../src/browser.ts'), 'offline-consent/authority': here('../src/authority/index.ts') };

/** `offline-consent` → the browser entry's source; `offline-consent/authority` → the authority's. */
const library = {
  name: 'offline-consent-source',
  resolveId: (id) => ENTRIES[id] ?? null,
};

/** The static files go next to the bundle. */
const pageFiles = {
  name: 'page-files',
  writeBundle() {
    mkdirSync(here('dist/page'), { recursive: true });
    for (const f of ['index.html', 'styles.css']) copyFileSync(here(f), here(`dist/page/${f}`));
  },
};

export default [
  {
    input: here('src/main.ts'),
    output: { dir: here('dist/page/assets'), format: 'es', entryFileNames: 'main.js', chunkFileNames: '[name]-[hash].js', sourcemap: true },
    plugins: [library, nodeResolve({ browser: true, exportConditions: ['browser'] }), esbuild({ target: 'es2022', minify: true, tsconfig: here('tsconfig.json') }), pageFiles],
  },
  {
    // The service worker must be served from the page's root to control it.
    input: here('src/sw.ts'),
    output: { file: here('dist/page/sw.js'), format: 'es', sourcemap: true },
    plugins: [esbuild({ target: 'es2022', minify: true, tsconfig: here('tsconfig.json') })],
  },
  {
    input: here('server/main.ts'),
    // Packages stay imports, resolved from this repository's node_modules at run time.
    external: (id) => id.startsWith('node:') || !(id in ENTRIES || id.startsWith('.') || id.startsWith('/') || id.startsWith('\0')),
    output: { dir: here('dist/server'), format: 'es', entryFileNames: 'main.js', chunkFileNames: '[name]-[hash].js', sourcemap: true },
    plugins: [library, esbuild({ target: 'node20', tsconfig: here('tsconfig.json') })],
  },
];
