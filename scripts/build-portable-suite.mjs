// Bundles the runtime-neutral tests (test/*.test.ts) with a vitest stand-in into one ES
// module that Deno, Bun and Firefox can run as is: test-results/runtime/suite.mjs.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const SUITE_DIR = `${root}test-results/runtime`;

export async function buildPortableSuite() {
  const files = readdirSync(`${root}test`).filter((f) => f.endsWith('.test.ts')).sort();
  const entry = [
    `import { beginFile, runAll } from './test/runtime/vitest-shim.ts';`,
    ...files.map((f) => `beginFile(${JSON.stringify(f)}); await import('./test/${f}');`),
    `export const result = await runAll(globalThis.__suiteLog ?? console.log);`,
  ].join('\n');
  await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: 'portable-suite.ts', loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: `${SUITE_DIR}/suite.mjs`,
    alias: { vitest: `${root}test/runtime/vitest-shim.ts` },
    logLevel: 'warning',
  });
  return { files, path: `${SUITE_DIR}/suite.mjs` };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { files, path } = await buildPortableSuite();
  console.log(`bundled ${files.length} test files into ${path}`);
}
