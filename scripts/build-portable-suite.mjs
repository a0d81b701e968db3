// Bundles the runtime-neutral tests (test/*.test.ts), plus each runtime's native store tests,
// with a vitest stand-in into ES modules that Deno, Bun and Firefox run as they are.
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const SUITE_DIR = `${root}test-results/runtime`;

const testsIn = (dir) => readdirSync(`${root}${dir}`).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `${dir}/${f}`);

/**
 * The runtime-neutral tests plus each runtime's native store: `browser` adds test/browser
 * (IndexedDB), `server` adds the file-store tests from test/node (Deno and Bun run them
 * through their Node compatibility layer).
 */
export const SUITES = {
  browser: { platform: 'browser', entry: 'browser', files: () => [...testsIn('test'), ...testsIn('test/browser')] },
  server: { platform: 'node', entry: 'node', files: () => [...testsIn('test'), 'test/node/file-audit-store.test.ts', 'test/node/file-audit-log.test.ts'] },
};

/**
 * The tests import the library's entries from source (`src/index.js`, `src/node.js`, `src/browser.js`);
 * here those resolve to the built package (`dist/<entry>.js`, what npm publishes), so the
 * runtimes test what users install. Test helpers reached by deeper paths stay source.
 */
function builtPackage(entry) {
  return {
    name: 'built-package',
    setup(b) {
      b.onResolve({ filter: /(^|\/)src\/(index|node|browser)\.js$/ }, () => ({ path: `${root}dist/${entry}.js` }));
    },
  };
}

export async function buildPortableSuite(kind) {
  const { platform, entry: packageEntry, files: list } = SUITES[kind];
  if (!existsSync(`${root}dist/${packageEntry}.js`)) throw new Error(`dist/${packageEntry}.js is missing: run npm run build first`);
  const files = list();
  const entry = [
    `import { beginFile, runAll } from './test/runtime/vitest-shim.ts';`,
    ...files.map((f) => `beginFile(${JSON.stringify(f)}); await import('./${f}');`),
    `export const result = await runAll(globalThis.__suiteLog ?? console.log);`,
  ].join('\n');
  const path = `${SUITE_DIR}/suite-${kind}.mjs`;
  await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: `portable-suite-${kind}.ts`, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform,
    target: 'es2022',
    outfile: path,
    alias: { vitest: `${root}test/runtime/vitest-shim.ts` },
    plugins: [builtPackage(packageEntry)],
    logLevel: 'warning',
  });
  return { files, path };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const kind of Object.keys(SUITES)) {
    const { files, path } = await buildPortableSuite(kind);
    console.log(`bundled ${files.length} test files into ${path}`);
  }
}
