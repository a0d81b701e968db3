// docs/cli.md's "Every command" section is the built CLI's own --help for each command.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS, reference, withReference } from '../../../scripts/cli-reference.mjs';

const script = new URL('../../../scripts/cli-reference.mjs', import.meta.url).pathname;
const doc = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');

describe('docs/cli.md', () => {
  it('holds every command\'s current --help', () => {
    const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([0, '']);
    for (const command of COMMANDS) expect(doc).toContain(`### \`offline-consent ${command}\``);
  });

  it('the check can fail: a doc whose section differs is rewritten', () => {
    const stale = doc.replace('--actions <n>', '--actions <count>');
    expect(stale).not.toBe(doc);
    expect(withReference(stale, reference())).toBe(doc);
  });
});
