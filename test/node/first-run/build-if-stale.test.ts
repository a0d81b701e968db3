// `npm run demo` and `prepare` rebuild dist/ only when it is missing or older than a source.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isStale } from '../../../scripts/build-if-stale.mjs';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A tree with one source file and one output, each with the given modification time (s). */
function tree(sourceAt: number, outputAt: number | null): string {
  root = mkdtempSync(join(tmpdir(), 'oc-stale-'));
  mkdirSync(join(root, 'src/deep'), { recursive: true });
  writeFileSync(join(root, 'src/deep/a.ts'), 'x');
  utimesSync(join(root, 'src/deep/a.ts'), sourceAt, sourceAt);
  utimesSync(join(root, 'src/deep'), 1, 1);
  utimesSync(join(root, 'src'), 1, 1);
  if (outputAt !== null) {
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist/cli.js'), 'x');
    utimesSync(join(root, 'dist/cli.js'), outputAt, outputAt);
  }
  return root;
}

describe('build-if-stale', () => {
  it('builds when an output is missing', () => {
    expect(isStale(tree(100, null), ['src'], ['dist/cli.js'])).toBe(true);
  });
  it('builds when a source deep in src/ is newer than the oldest output', () => {
    expect(isStale(tree(200, 100), ['src'], ['dist/cli.js'])).toBe(true);
  });
  it('skips the build when every output is newer than every source', () => {
    expect(isStale(tree(100, 200), ['src', 'no-such-config.mjs'], ['dist/cli.js'])).toBe(false);
  });
});
