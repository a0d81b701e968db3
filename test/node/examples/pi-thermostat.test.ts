// examples/pi-thermostat run as a real child process (`node examples/pi-thermostat/agent.mjs`,
// importing the built package) against a real authority. The authority is stopped as soon as
// the device has enrolled, so the tool calls happen with no authority at all; it comes back
// once the device reports it unreachable, and the device's trail must then be on the authority,
// verifying, refusals included. Failures: a bogus code, a reused code, no bundle key.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain, type SignedAuditEntry } from '../../../src/index.js';
import { startExampleAuthority, type ExampleAuthority } from './authority.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const AGENT = join(ROOT, 'examples/pi-thermostat/agent.mjs');
const BUNDLE_KEY = randomBytes(32).toString('hex');

interface Run {
  code: number | null;
  stdout: string[];
  stderr: string;
}

/** Runs the agent; `onLine` sees each stdout line as it comes, and the child (to pull the plug at the right moment). */
function runAgent(args: string[], { env = {}, onLine = () => {} }: { env?: Record<string, string | undefined>; onLine?: (line: string, child: ChildProcess) => void } = {}): Promise<Run> {
  const { OFFLINE_CONSENT_API_KEY: _never, ...inherited } = process.env; // the device never sees the API key
  const child = spawn(process.execPath, [AGENT, ...args], { cwd: ROOT, env: { ...inherited, OFFLINE_CONSENT_BUNDLE_KEY: BUNDLE_KEY, ...env } });
  const run: Run = { code: null, stdout: [], stderr: '' };
  createInterface({ input: child.stdout }).on('line', (line) => {
    run.stdout.push(line);
    onLine(line, child);
  });
  child.stderr.on('data', (chunk) => (run.stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  return new Promise((done) => child.on('close', (code) => {
    clearTimeout(killer);
    done({ ...run, code });
  }));
}

let authority: ExampleAuthority;
let code = '';
let bundleId = '';
const device = () => join(authority.dir, 'device');

beforeAll(async () => {
  authority = await startExampleAuthority();
  ({ code } = await authority.agentWithCode(['sensor:read', 'heater:write'], ['sensor:read']));
});
afterAll(() => authority?.close());

async function storedTrail(): Promise<{ entries: SignedAuditEntry[]; spans: any[] }> {
  const { entries } = await authority.backend('GET', `/v1/consent-bundles/${bundleId}/audit`);
  const { auditKeySpans } = await authority.backend('GET', `/v1/consent-bundles/${bundleId}`);
  return { entries, spans: auditKeySpans };
}

describe('examples/pi-thermostat', () => {
  it('enrolls with the code, runs its tools with the authority down, syncs once it is back; the authority holds the verifying trail', async () => {
    const events: string[] = [];
    let restarted: Promise<void> | undefined;
    let stopped: Promise<void> | undefined;
    const run = await runAgent(['--authority', authority.url, '--code', code, '--data', device(), '--ticks', '4', '--interval-ms', '300', '--sync-wait-s', '30'], {
      onLine(line, child) {
        if (line.startsWith('enrolled') && !stopped) {
          // Freeze the device while the authority goes down, so no call of its can slip in first.
          child.kill('SIGSTOP');
          events.push('authority stopped');
          stopped = authority.stop().finally(() => child.kill('SIGCONT'));
        }
        if (/^sync\s+authority unreachable/.test(line) && !restarted) {
          events.push('authority restarted');
          restarted = stopped!.then(() => authority.restart());
        }
      },
    });
    await restarted;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(events).toEqual(['authority stopped', 'authority restarted']);

    const [enrolled, grant, ...rest] = run.stdout;
    expect(enrolled).toBe(`enrolled  redeemed the code at ${authority.url}; bundle sealed in ${join(device(), 'bundle.bin')}`);
    bundleId = /bundle (cb_\w+), scopes sensor:read, offline until /.exec(grant!)?.[1] ?? '';
    expect(bundleId, grant).not.toBe('');
    const ticks = rest.filter((l) => l.startsWith('offline'));
    expect(ticks).toHaveLength(4);
    for (const [i, tick] of ticks.entries()) expect(tick).toMatch(new RegExp(`^offline   tick ${i + 1}: \\d+\\.\\d °C → heater refused \\(SCOPE_VIOLATION\\)$`));
    expect(rest.slice(4)).toEqual([
      `log       8 signed entries in ${join(device(), 'audit.jsonl')}, chain verifies; 8 to sync`,
      expect.stringMatching(/^sync      authority unreachable \(NETWORK_ERROR\); retrying every 1 s for up to 30 s$/),
      'synced    8 entries accepted by the authority; consent valid',
    ]);

    const { entries, spans } = await storedTrail();
    expect(entries.map((e) => [e.seq, e.action, e.result])).toEqual(
      [1, 2, 3, 4].flatMap((i) => [[2 * i - 1, 'sensor.read', 'success'], [2 * i, 'heater.set', 'scope_violation']]),
    );
    expect(await verifyChain(entries, { keys: spans })).toEqual({ valid: true, count: 8 });
    expect(await verifyChain(entries, { publicKey: spans[0].publicKey })).toEqual({ valid: true, count: 8 });
    // What the authority holds is the device's own file, entry for entry.
    const local = readFileSync(join(device(), 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).hash);
    expect(entries.map((e) => e.hash)).toEqual(local);
    // The bundle is sealed on disk, and no file on the device holds the API key.
    const sealed = readFileSync(join(device(), 'bundle.bin'));
    expect(sealed.includes('PRIVATE KEY')).toBe(false);
    expect(sealed.includes(bundleId)).toBe(false);
    for (const file of readdirSync(device())) expect(readFileSync(join(device(), file)).includes(authority.apiKey), file).toBe(false);
  });

  it('a second run needs no code: it opens the sealed bundle and the same log, and syncs only the new entries', async () => {
    const run = await runAgent(['--data', device(), '--ticks', '1', '--interval-ms', '0']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout[0]).toBe(`bundle    already enrolled, using ${join(device(), 'bundle.bin')}`);
    expect(run.stdout).toContain('synced    2 entries accepted by the authority; consent valid');
    const { entries, spans } = await storedTrail();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await verifyChain(entries, { keys: spans })).toEqual({ valid: true, count: 10 });
  });

  it('no bundle key: exits 1 with one line before redeeming, and the code still works afterwards', async () => {
    const { code: fresh } = await authority.agentWithCode(['sensor:read'], ['sensor:read']);
    const dir = join(authority.dir, 'no-key');
    const run = await runAgent(['--authority', authority.url, '--code', fresh, '--data', dir], { env: { OFFLINE_CONSENT_BUNDLE_KEY: undefined } });
    expect(run.code).toBe(1);
    expect(run.stdout).toEqual([]);
    expect(run.stderr).toBe('pi-thermostat: set OFFLINE_CONSENT_BUNDLE_KEY (a passphrase, or 64 hex characters): it seals the bundle on disk\n');
    const retry = await runAgent(['--authority', authority.url, '--code', fresh, '--data', dir, '--ticks', '1']);
    expect(retry.stderr).toBe('');
    expect(retry.code).toBe(0);
  });

  it('a bogus code and a reused code: exit 1, one line naming the authority\'s error, no bundle written', async () => {
    for (const [given, expected] of [
      [`oce_${'A'.repeat(32)}`, 'ENROLLMENT_NOT_FOUND'],
      [code, 'ENROLLMENT_REUSED'],
    ] as const) {
      const dir = join(authority.dir, `device-${expected}`);
      const run = await runAgent(['--authority', authority.url, '--code', given, '--data', dir]);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toEqual([]);
      expect(run.stderr).toMatch(new RegExp(`^pi-thermostat: enrollment failed: [^\\n]+ \\(HTTP 40\\d, ${expected}\\)\\n$`));
      expect(existsSync(join(dir, 'bundle.bin'))).toBe(false);
    }
  });
});
