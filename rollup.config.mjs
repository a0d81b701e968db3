// Builds ESM for each package entry (shared code lands in chunks) and bundled .d.ts beside it.
import { dts } from 'rollup-plugin-dts';
import esbuild from 'rollup-plugin-esbuild';
import pkg from './package.json' with { type: 'json' };

const input = {
  index: 'src/index.ts',
  node: 'src/node.ts',
  browser: 'src/browser.ts',
  authority: 'src/authority/index.ts',
  'adapters/langchain': 'src/adapters/langchain.ts',
  'adapters/adk': 'src/adapters/adk.ts',
  'adapters/ai-sdk': 'src/adapters/ai-sdk.ts',
  'adapters/mcp': 'src/adapters/mcp.ts',
};

// Runtime and (optional) peer dependencies and every Node builtin stay imports; the user's bundler resolves them.
const deps = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
const external = (id) => id.startsWith('node:') || deps.some((d) => id === d || id.startsWith(`${d}/`));

export default [
  {
    input: { ...input, cli: 'src/cli/main.ts' },
    external,
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[hash].js',
      // The adapters' shared helpers stay in one chunk, whichever adapters an entry uses.
      manualChunks: (id) => (/\/src\/adapters\/(?!(?:adk|langchain|ai-sdk|mcp)\.ts$)/.test(id) ? 'adapters' : undefined),
      // No bare `import 'x'` lines for a chunk's own dependencies: bundlers warn on them (sideEffects: false).
      hoistTransitiveImports: false,
      sourcemap: true,
      banner: (chunk) => (chunk.name === 'cli' ? '#!/usr/bin/env node' : ''),
    },
    plugins: [esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' })],
  },
  {
    input,
    external,
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[hash].d.ts' },
    plugins: [dts({ tsconfig: 'tsconfig.json' })],
  },
];
