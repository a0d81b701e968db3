// The docs cannot drift from the code: every TypeScript block in README.md, docs/ and examples/
// compiles against the library, every JSON block parses, and every `npm run` script and
// `npx offline-consent` command a shell block names exists (its --help exits 0).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, extractBlocks, shellCommands, typecheckBlocks, type DocBlock } from './doc-blocks.js';

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f));
  const examples = existsSync(join(ROOT, 'examples')) ? readdirSync(join(ROOT, 'examples')).map((d) => join(ROOT, 'examples', d, 'README.md')).filter(existsSync) : [];
  return [join(ROOT, 'README.md'), ...docs, ...examples];
}
const blocks: DocBlock[] = markdownFiles().flatMap((f) => extractBlocks(f, readFileSync(f, 'utf8')));
const ts = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript');

describe('code blocks in the docs', () => {
  it('there are TypeScript blocks to check, in README and the guides', () => {
    expect(ts.length).toBeGreaterThanOrEqual(15);
    expect(new Set(ts.map((b) => b.file.slice(ROOT.length))).size).toBeGreaterThan(4);
  });

  it('every TypeScript block compiles (strict) against the library', () => {
    expect(typecheckBlocks(ts)).toEqual([]);
  }, 120_000);

  it('the checker can fail: a block calling the API wrongly is reported at its Markdown line', () => {
    const bad = extractBlocks(join(ROOT, 'docs/example.md'), ['# x', '', '```ts', "import { createAgentGuard } from 'offline-consent';", 'createAgentGuard({ bundle: 42 });', '```'].join('\n'));
    const errors = typecheckBlocks(bad, join(ROOT, 'node_modules/.cache/doc-blocks-self-test'));
    expect(errors).toEqual([expect.stringMatching(/^docs\/example\.md:5: error TS2\d+/)]);
  }, 60_000);

  it('every JSON block parses', () => {
    for (const b of blocks.filter((b) => b.lang === 'json')) expect(() => JSON.parse(b.code), `${b.file}:${b.line}`).not.toThrow();
  });

  it('every npm script and CLI command a shell block names exists', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const commands = shellCommands(blocks.filter((b) => ['sh', 'bash', 'shell', 'console'].includes(b.lang)));
    expect(commands.some((c) => c.cli)).toBe(true);
    const missingScripts = commands.filter((c) => c.npmScript && !(c.npmScript in scripts)).map((c) => `${c.at}: npm run ${c.npmScript}`);
    expect(missingScripts).toEqual([]);
    const tried = new Map<string, number | null>();
    for (const c of commands.filter((c) => c.cli)) {
      const key = c.cli!.join(' ');
      if (!tried.has(key)) {
        // A word after the command may be an argument (a file name): try the longest prefix first.
        const ok = [c.cli!, c.cli!.slice(0, 1)].some((words) => spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), ...words, '--help'], { encoding: 'utf8' }).status === 0);
        tried.set(key, ok ? 0 : 1);
      }
    }
    expect([...tried].filter(([, status]) => status !== 0).map(([k]) => k)).toEqual([]);
  }, 60_000);
});
