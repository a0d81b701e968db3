// Runs TypeDoc's CLI (arguments pass through; config: typedoc.json) with `typescript` resolving to
// @typescript/typescript6. The repo's `typescript` is TypeScript 7, the native compiler, which has no
// JavaScript API; TypeDoc needs one, as rollup-plugin-dts does (that plugin falls back to
// @typescript/typescript6 by itself). The resolve hook covers ES-module imports in this process, which
// is how TypeDoc loads the compiler (`import ts from "typescript"`); its one CommonJS
// `require.resolve("typescript")` still finds TypeScript 7 and only names a path in `--version`.
// Type errors are left to `npm run typecheck` (skipErrorChecking): TypeDoc only reads the program.
//   npm run docs        HTML API reference in docs/api/ (gitignored)
//   npm run docs:check  no output files; exits 4 naming each public export without a TSDoc summary
import { register } from 'node:module';

const hook = `export async function resolve(specifier, context, next) {
  return next(specifier === 'typescript' ? '@typescript/typescript6' : specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);

// TypeDoc's bin only forks dist/cli.js; importing it here keeps the hook in this process.
await import(new URL('dist/cli.js', import.meta.resolve('typedoc/package.json')).href);
