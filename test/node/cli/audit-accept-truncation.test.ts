// `offline-consent audit accept-truncation`, run as an operator would: the built CLI in a child process.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOfflineAuditLog, loadBundle, storeBundle } from '../../../src/node.js';
import { testBundle } from '../../helpers/bundle.js';
import { sampleEntry } from '../../helpers/chain.js';

const run = promisify(execFile);
const KEY = 'ab'.repeat(32);
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'oc-cli-trunc-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['dist/cli.js', ...args], { env: { ...process.env, OFFLINE_CONSENT_BUNDLE_KEY: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A sealed bundle and its log of 3 synced + 2 unsynced entries, cut back to the first 3 lines. */
async function cutLog() {
  const bundlePath = join(dir, 'bundle.bin');
  await storeBundle(await testBundle(), bundlePath, KEY);
  const bundle = await loadBundle(bundlePath, KEY);
  expect(bundle.hwmRequired).toBe(true); // sealed by this version
  const logPath = join(dir, 'audit.jsonl');
  const log = createOfflineAuditLog({ bundle, logPath });
  const written = [];
  for (let i = 0; i < 5; i++) written.push(await log.append(sampleEntry(i)));
  await log.markSynced(3);
  await log.close();
  const lines = readFileSync(logPath, 'utf8').split('\n').filter(Boolean);
  writeFileSync(logPath, lines.slice(0, 3).map((l) => `${l}\n`).join(''));
  return { bundle, bundlePath, logPath, written };
}

describe('offline-consent audit accept-truncation', () => {
  it('accepts a cut log with the bundle key from the environment: one line, exit 0; the log then opens and verifies', async () => {
    const { bundle, bundlePath, logPath, written } = await cutLog();
    const before = createOfflineAuditLog({ bundle, logPath });
    await expect(before.head()).rejects.toMatchObject({ code: 'AUDIT_LOG_TRUNCATED', markHead: { seq: 5 }, logHead: { seq: 3 } });
    await before.close();

    const out = await cli({ OFFLINE_CONSENT_BUNDLE_KEY: KEY }, 'audit', 'accept-truncation', logPath, '--bundle', bundlePath);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout.trim().split('\n')).toHaveLength(1);
    expect(out.stdout).toMatch(/mark was at seq 5, the log at seq 3; recorded as seq 4/);

    const after = createOfflineAuditLog({ bundle, logPath });
    const entries = await after.entries();
    expect(entries[3]).toMatchObject({
      seq: 4,
      action: 'audit.truncation_accepted',
      result: 'success',
      metadata: { markHead: { seq: 5, hash: written[4]!.hash }, logHead: { seq: 3, hash: written[2]!.hash } },
    });
    expect(await after.verify()).toEqual({ valid: true, count: 4 });
    await after.close();
    const verified = await cli({ OFFLINE_CONSENT_BUNDLE_KEY: KEY }, 'audit', 'verify', logPath, '--bundle', bundlePath);
    expect(verified.code).toBe(0);

    const again = await cli({ OFFLINE_CONSENT_BUNDLE_KEY: KEY }, 'audit', 'accept-truncation', logPath, '--bundle', bundlePath);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/not truncated/);
  });

  it('--key-env names another variable; a wrong key is one line on stderr and a non-zero exit, and nothing is appended', async () => {
    const { bundlePath, logPath } = await cutLog();
    const wrong = await cli({ MY_KEY: 'cd'.repeat(32) }, 'audit', 'accept-truncation', logPath, '--bundle', bundlePath, '--key-env', 'MY_KEY');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/BUNDLE_TAMPERED/);
    expect(readFileSync(logPath, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
    const right = await cli({ MY_KEY: KEY }, 'audit', 'accept-truncation', logPath, '--bundle', bundlePath, '--key-env', 'MY_KEY');
    expect(right.code).toBe(0);
  });
});
