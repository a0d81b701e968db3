// The enrollment verbs as a user runs them: the built dist/cli.js in child processes, against
// the real authority over HTTP (PGlite) in this process.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthority, type RunningAuthority } from '../../../src/authority/node-server.js';
import { openPglite } from '../../../src/authority/db/pglite.js';
import { createAgentGuard, createOfflineAuditLog, loadBundle, refreshBundle, storeBundle } from '../../../src/node.js';
import { Api } from '../authority/harness.js';

const run = promisify(execFile);
const BUNDLE_KEY = 'correct horse battery staple';
let server: RunningAuthority;
let apiKey: string;
let agentId: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oc-cli-device-'));
  server = await startAuthority({ db: await openPglite(), rateLimits: false });
  ({ apiKey } = await server.authority.createDeveloper('cli-test'));
  agentId = (await new Api(server.authority, apiKey, server.url).post('/v1/agents', { name: 'pi', scopes: ['sensor:read'] })).body.agentId;
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = { PATH: process.env.PATH ?? '', HOME: dir, ...env };
  try {
    const { stdout, stderr } = await run(process.execPath, ['dist/cli.js', ...args], { env: clean });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const enrollArgs = () => ['enroll', '--url', server.url, '--agent', agentId, '--user', 'user_alice', '--scopes', 'sensor:read', '--ttl', '1h'];

describe('offline-consent enroll / device enroll / audit verify --bundle', () => {
  it('enroll (API key from env) → device enroll (bundle key from env) → appends, refresh → audit verify --bundle is valid', async () => {
    const minted = await cli({ OFFLINE_CONSENT_API_KEY: apiKey }, ...enrollArgs(), '--json');
    expect(minted.code).toBe(0);
    const { code, enrollmentId, expiresAt } = JSON.parse(minted.stdout);
    expect(code).toMatch(/^oce_[A-Za-z0-9_-]{32}$/);
    expect(typeof enrollmentId).toBe('string');
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());

    const file = join(dir, 'bundle.ocb');
    const device = await cli({ OFFLINE_CONSENT_BUNDLE_KEY: BUNDLE_KEY }, 'device', 'enroll', '--url', server.url, '--code', code, '--bundle', file);
    expect(device.code).toBe(0);
    expect(device.stdout).toMatch(/bundle\s+\S+/);
    expect(device.stdout).toMatch(/scopes\s+sensor:read/);
    expect(device.stdout).toMatch(/deadline\s+\d{4}-/);
    expect(device.stdout).not.toMatch(/PRIVATE KEY/);

    // The device works with it, refreshes twice (new keys), and stores the newest bundle.
    let bundle = await loadBundle(file, BUNDLE_KEY);
    const logPath = join(dir, 'audit.jsonl');
    const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath, keySpans: bundle.auditKeySpans!, durability: 'none' });
    for (let round = 0; round < 2; round++) {
      await createAgentGuard({ bundle, auditLog: log }).run('read_sensor', ['sensor:read'], () => 1);
      bundle = await refreshBundle(bundle, { log });
    }
    await createAgentGuard({ bundle, auditLog: log }).run('read_sensor', ['sensor:read'], () => 1);
    await log.close();
    await storeBundle(bundle, file, BUNDLE_KEY);

    const verified = await cli({ MY_KEY: BUNDLE_KEY }, 'audit', 'verify', logPath, '--bundle', file, '--key-env', 'MY_KEY', '--json');
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true });
    // With only the newest key, the same trail does not verify.
    writeFileSync(join(dir, 'new.pem'), bundle.offlineAuditKey.publicKey);
    const oneKey = await cli({}, 'audit', 'verify', logPath, '--public-key', join(dir, 'new.pem'), '--json');
    expect(oneKey.code).toBe(1);
    expect(JSON.parse(oneKey.stdout)).toMatchObject({ valid: false, reason: 'signature' });
  });

  it('--api-key-file: mode 600 works, a group-readable file is refused; no key at all is one clear line', async () => {
    const keyFile = join(dir, 'api-key');
    writeFileSync(keyFile, `${apiKey}\n`);
    chmodSync(keyFile, 0o644);
    const loose = await cli({}, ...enrollArgs(), '--api-key-file', keyFile);
    expect(loose.code).not.toBe(0);
    expect(loose.stderr.trim().split('\n')).toHaveLength(1);
    expect(loose.stderr).toMatch(/^offline-consent: .*readable by group or others/);
    chmodSync(keyFile, 0o600);
    const ok = await cli({}, ...enrollArgs(), '--api-key-file', keyFile);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/code\s+oce_/);
    const none = await cli({}, ...enrollArgs());
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^offline-consent: no API key/);
  });

  it('device enroll: a wrong code, or no bundle key (no env, no credential, no terminal), fails with one line and stores nothing', async () => {
    const file = join(dir, 'never.ocb');
    const wrong = await cli({ OFFLINE_CONSENT_BUNDLE_KEY: BUNDLE_KEY }, 'device', 'enroll', '--url', server.url, '--code', `oce_${'A'.repeat(32)}`, '--bundle', file);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/ENROLLMENT_NOT_FOUND/);
    const nokey = await cli({}, 'device', 'enroll', '--url', server.url, '--code', `oce_${'A'.repeat(32)}`, '--bundle', file);
    expect(nokey.code).toBe(2);
    expect(nokey.stderr).toMatch(/^offline-consent: no bundle key/);
    await expect(loadBundle(file, BUNDLE_KEY)).rejects.toMatchObject({ code: 'BUNDLE_NOT_FOUND' });
  });

  it('device enroll takes the key from a systemd credential ($CREDENTIALS_DIRECTORY)', async () => {
    const { body } = await new Api(server.authority, apiKey, server.url).post('/v1/enrollments', { agentId, userId: 'user_bob', scopes: ['sensor:read'] });
    const creds = mkdtempSync(join(dir, 'creds-'));
    writeFileSync(join(creds, 'offline-consent-bundle-key'), `${BUNDLE_KEY}\n`);
    const file = join(dir, 'bob.ocb');
    const out = await cli({ CREDENTIALS_DIRECTORY: creds }, 'device', 'enroll', '--url', server.url, '--code', body.code, '--bundle', file, '--json');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ scopes: ['sensor:read'] });
    expect((await loadBundle(file, BUNDLE_KEY)).bundleId).toBe(JSON.parse(out.stdout).bundleId);
  });
});
