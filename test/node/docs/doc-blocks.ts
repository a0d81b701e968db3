// Extracts the code blocks of the Markdown docs and checks them: TypeScript blocks are compiled
// together against the library's sources (each block its own module), JSON blocks are parsed,
// and shell lines naming `npm run <script>` or `offline-consent <command>` must name a real one.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = new URL('../../../', import.meta.url).pathname;

/** One fenced block: its language, text and the Markdown line its first code line is on. */
export interface DocBlock {
  file: string;
  lang: string;
  line: number;
  code: string;
}

/** The fenced blocks of a Markdown text (``` fences; the info string's first word is the language). */
export function extractBlocks(file: string, markdown: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trimStart().startsWith(fence)) body.push(lines[j++]!);
    blocks.push({ file, lang: open[3]!.toLowerCase(), line: i + 2, code: body.join('\n') });
    i = j;
  }
  return blocks;
}

const ENTRIES: Record<string, string> = {
  'offline-consent': 'src/node.ts',
  'offline-consent/node': 'src/node.ts',
  'offline-consent/browser': 'src/browser.ts',
  'offline-consent/authority': 'src/authority/index.ts',
  'offline-consent/adapters/langchain': 'src/adapters/langchain.ts',
  'offline-consent/adapters/adk': 'src/adapters/adk.ts',
  'offline-consent/adapters/ai-sdk': 'src/adapters/ai-sdk.ts',
  'offline-consent/adapters/mcp': 'src/adapters/mcp.ts',
};

/** Compiles every TypeScript block (strict, as the library itself); returns tsc's errors mapped back to Markdown lines. */
export function typecheckBlocks(blocks: DocBlock[], workDir = join(ROOT, 'node_modules/.cache/doc-blocks')): string[] {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const where = new Map<string, DocBlock>();
  blocks.forEach((block, n) => {
    const name = `block${n}.ts`;
    where.set(name, block);
    // A block is a module of its own; a browser block (imports offline-consent/browser) sees the DOM only.
    writeFileSync(join(workDir, name), `${block.code}\nexport {};\n`);
  });
  const paths = Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, [join(ROOT, v)]]));
  const base = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  const config = { compilerOptions: { ...base.compilerOptions, types: ['node'], paths, rootDir: ROOT, noUnusedLocals: false }, include: ['*.ts'] };
  writeFileSync(join(workDir, 'tsconfig.json'), JSON.stringify(config, null, 2));
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(workDir, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8' });
  const errors: string[] = [];
  for (const line of `${run.stdout}${run.stderr}`.split('\n')) {
    const hit = /^(?:.*\/)?(block\d+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line);
    if (hit) {
      const block = where.get(hit[1]!)!;
      errors.push(`${relative(ROOT, block.file)}:${block.line + Number(hit[2]) - 1}: ${hit[4]}`);
    } else if (/error TS/.test(line)) errors.push(line);
  }
  if (run.status !== 0 && errors.length === 0) errors.push(`tsc failed: ${run.stdout}${run.stderr}`.trim());
  return errors;
}

/** What the shell blocks run: `npm run <script>` names and `offline-consent <command> [<sub>]` words, with where they are. */
export function shellCommands(blocks: DocBlock[]): { at: string; npmScript?: string; cli?: string[] }[] {
  const found: { at: string; npmScript?: string; cli?: string[] }[] = [];
  for (const block of blocks) {
    block.code.split('\n').forEach((text, k) => {
      const at = `${relative(ROOT, block.file)}:${block.line + k}`;
      for (const m of text.matchAll(/npm run ([\w:-]+)/g)) found.push({ at, npmScript: m[1]! });
      const cli = /^\s*(?:[A-Z_]+=\S+\s+)*npx offline-consent((?: [a-z][\w-]*){1,2})/.exec(text);
      if (cli) found.push({ at, cli: cli[1]!.trim().split(' ') });
    });
  }
  return found;
}
