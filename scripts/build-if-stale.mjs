// Builds dist/ with `rollup -c` only when it is missing or older than what it is built from
// (src/, the rollup and TypeScript configs, package.json): `npm run demo` and `prepare` call
// it, so a demo after the first one starts at once instead of rebuilding for seconds.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What dist/ is built from. */
export const SOURCES = ['src', 'rollup.config.mjs', 'tsconfig.json', 'package.json'];
/** What the build writes (each entry's code and types; the CLI). */
export const OUTPUTS = ['dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'dist/node.js', 'dist/browser.js', 'dist/authority.js', 'dist/authority.d.ts'];

/** Newest modification time under `path` (a file, or a directory searched whole). */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/** Whether the build under `root` is missing an output or older than a source. */
export function isStale(root, sources = SOURCES, outputs = OUTPUTS) {
  const built = outputs.map((o) => join(root, o));
  if (!built.every(existsSync)) return true;
  const oldestOutput = Math.min(...built.map((f) => statSync(f).mtimeMs));
  return sources.map((s) => join(root, s)).filter(existsSync).some((s) => newest(s) > oldestOutput);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = new URL('..', import.meta.url).pathname;
  if (isStale(root)) execFileSync(process.execPath, [join(root, 'node_modules/rollup/dist/bin/rollup'), '-c', '--silent'], { cwd: root, stdio: 'inherit' });
}
