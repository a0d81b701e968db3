// The authority's PGlite data folder has one process: a second `authority serve`, or an
// `authority init` while one serves, fails at once with one line naming the holder (exit 2);
// a holder killed with SIGKILL leaves a lock the next process takes over.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { start, type Proc } from './process.js';

const run = promisify(execFile);
let dir: string;
let data: string;
const procs: Proc[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oc-authority-lock-'));
  data = join(dir, 'db');
});
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.kill()));
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['dist/cli.js', ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function serve(): Proc {
  const p = start(['dist/cli.js', 'authority', 'serve', '--port', '0', '--data', data, '--json'], { timeoutMs: 60_000 });
  procs.push(p);
  return p;
}

describe('authority: one process per PGlite data folder', () => {
  it('a second serve and an init on a live folder fail at once with one line naming the holder; after a SIGKILL the lock is taken over', async () => {
    const first = serve();
    const url = /"(http:[^"]+)"/.exec(await first.line('  "url"'))![1]!;
    expect((await fetch(`${url}/health`)).status).toBe(200);

    const second = await cli(['authority', 'serve', '--port', '0', '--data', data]);
    expect(second.code).toBe(2);
    const lines = second.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^offline-consent: PGlite data folder .* is in use by pid ${first.pid} \\(started \\d{4}-\\d\\d-\\d\\dT[^ ]+ on host [^)]+\\); stop it first`));

    const init = await cli(['authority', 'init', '--data', data, '--json']);
    expect(init.code).toBe(2);
    expect(init.stdout).toBe(''); // no API key printed that would never work
    expect(init.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining(`in use by pid ${first.pid} `)]);
    expect((await fetch(`${url}/health`)).status).toBe(200); // the holder is undisturbed

    await first.kill();
    const after = await cli(['authority', 'init', '--data', data, '--json']);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ developerId: expect.stringMatching(/^dev_/) });
    const again = serve(); // init released the folder on exit
    expect(await again.line('  "url"')).toMatch(/http:/);
  }, 120_000);
});
