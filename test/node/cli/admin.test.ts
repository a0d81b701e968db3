// The operator's admin verbs as a user runs them: the built dist/cli.js in child processes,
// against a real authority over HTTP on PGlite and on PostgreSQL, the API key from the
// environment or a 0600 file (never a flag).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthority, type RunningAuthority } from '../../../src/authority/node-server.js';
import { Api, ENGINES, openTestDb } from '../authority/harness.js';
import { signedEntries } from '../authority/entries.js';
import { runCli } from './run-cli.js';

describe.each(ENGINES)('admin verbs on %s', (engine) => {
  let server: RunningAuthority;
  let dispose: () => Promise<void>;
  let apiKey: string;
  let api: Api;
  let dir: string;
  const cli = (...args: string[]) => runCli([...args, '--url', server.url], { OFFLINE_CONSENT_API_KEY: apiKey });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oc-cli-admin-'));
    const store = await openTestDb(engine);
    dispose = store.dispose;
    server = await startAuthority({ db: store.db, rateLimits: false });
    ({ apiKey } = await server.authority.createDeveloper('admin-cli'));
    api = new Api(server.authority, apiKey, server.url);
  });
  afterAll(async () => {
    await server?.close();
    await dispose?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('agent create, list and show: a table for people, --json for scripts', async () => {
    const created = await cli('agent', 'create', '--name', 'kitchen pi', '--scopes', 'sensor:read,thermostat:write', '--json');
    expect(created.code).toBe(0);
    const agent = JSON.parse(created.stdout);
    expect(agent).toMatchObject({ agentId: expect.stringMatching(/^ag_/), name: 'kitchen pi', scopes: ['sensor:read', 'thermostat:write'] });
    const list = await cli('agent', 'list');
    expect(list.code).toBe(0);
    const [header, ...rows] = list.stdout.trim().split('\n');
    expect(header).toMatch(/^agentId\s+name\s+status\s+scopes\s+createdAt$/);
    expect(rows.some((r) => r.startsWith(agent.agentId) && r.includes('kitchen pi') && r.includes('sensor:read,thermostat:write'))).toBe(true);
    expect(JSON.parse((await cli('agent', 'show', agent.agentId, '--json')).stdout)).toMatchObject({ agentId: agent.agentId });
    const missing = await cli('agent', 'show', 'ag_nope');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^offline-consent: .*\[AGENT_NOT_FOUND\]\n$/);
  });

  it('bundle list, show and revoke; audit export writes JSONL and key spans that audit verify checks offline', async () => {
    const agentId = (await api.post('/v1/agents', { name: 'pi', scopes: ['sensor:read'] })).body.agentId;
    const bundle = (await api.post('/v1/consent-bundles', { agentId, userId: 'user_alice', scopes: ['sensor:read'] })).body;
    const entries = await signedEntries(bundle, 1200);
    for (let i = 0; i < entries.length; i += 500) expect((await api.post('/v1/audit/offline-sync', { bundleId: bundle.bundleId, entries: entries.slice(i, i + 500) })).status).toBe(200);

    const listed = JSON.parse((await cli('bundle', 'list', '--agent', agentId, '--json')).stdout).bundles;
    expect(listed.map((b: any) => [b.bundleId, b.status, b.syncedSeq])).toEqual([[bundle.bundleId, 'active', 1200]]);
    expect((await cli('bundle', 'list', '--status', 'active')).stdout).toMatch(new RegExp(`^${bundle.bundleId}\\s+active\\s+${agentId}\\s+user_alice`, 'm'));
    const shown = JSON.parse((await cli('bundle', 'show', bundle.bundleId, '--json')).stdout);
    expect(shown).toMatchObject({ bundleId: bundle.bundleId, syncedSeq: 1200, auditKeySpans: [{ fromSeq: 1, toSeq: null }] });

    const out = join(dir, `${engine}-trail.jsonl`);
    const exported = await cli('audit', 'export', '--bundle', bundle.bundleId, '--out', out);
    expect(exported.code).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(1200); // past one 1,000-entry page
    const verified = await runCli(['audit', 'verify', out, '--keys', `${out}.keys.json`, '--json']);
    expect([verified.code, JSON.parse(verified.stdout)]).toEqual([0, expect.objectContaining({ valid: true, count: 1200 })]);
    const again = await cli('audit', 'export', '--bundle', bundle.bundleId, '--out', out);
    expect([again.code, again.stderr]).toEqual([2, `offline-consent: ${out} exists; choose another --out\n`]);

    const revoked = await cli('bundle', 'revoke', bundle.bundleId);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`^revoked ${bundle.bundleId} at .*; the device learns it at its next sync`));
    expect((await api.get(`/v1/consent-bundles/${bundle.bundleId}/revocation-status`)).body.data.status).toBe('revoked');
  });

  it('the API key comes from a 0600 file, never a flag; a readable file or a missing key is a usage error', async () => {
    const file = join(dir, 'key');
    writeFileSync(file, `${apiKey}\n`, { mode: 0o600 });
    expect((await runCli(['agent', 'list', '--url', server.url, '--api-key-file', file], { OFFLINE_CONSENT_API_KEY: '' })).code).toBe(0);
    chmodSync(file, 0o644);
    const loose = await runCli(['agent', 'list', '--url', server.url, '--api-key-file', file], { OFFLINE_CONSENT_API_KEY: '' });
    expect([loose.code, loose.stderr]).toEqual([2, expect.stringMatching(/readable by group or others .*chmod 600/)]);
    const none = await runCli(['agent', 'list', '--url', server.url], { OFFLINE_CONSENT_API_KEY: '' });
    expect([none.code, none.stderr]).toEqual([2, 'offline-consent: no API key: set OFFLINE_CONSENT_API_KEY or pass --api-key-file FILE\n']);
    const wrong = await runCli(['agent', 'list', '--url', server.url], { OFFLINE_CONSENT_API_KEY: 'oc_wrong' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).not.toContain('oc_wrong');
  });
});

describe.each(ENGINES)('API keys on %s: a revoked key is refused at once by a second instance on the same database', (engine) => {
  it('apikey create, list and revoke; agent deactivate stops new bundles', async () => {
    const store = await openTestDb(engine);
    const first = await startAuthority({ db: store.db, rateLimits: false });
    const second = await startAuthority({ db: store.db, rateLimits: false });
    try {
      const { apiKey } = await first.authority.createDeveloper('keys');
      const as = (key: string, ...args: string[]) => runCli(args, { OFFLINE_CONSENT_API_KEY: key });
      const created = JSON.parse((await as(apiKey, 'apikey', 'create', '--url', first.url, '--json')).stdout);
      expect(created).toMatchObject({ keyId: expect.stringMatching(/^key_[0-9a-f]{16}$/), apiKey: expect.stringMatching(/^oc_/) });
      const listed = await as(created.apiKey, 'apikey', 'list', '--url', second.url);
      expect(listed.stdout).not.toContain(apiKey); // ids and dates only
      expect(listed.stdout).toMatch(new RegExp(`^${created.keyId}\\s+\\S+\\s+-\\s+yes$`, 'm'));
      const original = JSON.parse((await as(created.apiKey, 'apikey', 'list', '--url', second.url, '--json')).stdout).apiKeys.find((k: any) => !k.current);

      expect((await as(apiKey, 'agent', 'list', '--url', second.url)).code).toBe(0); // the old key works on the second instance …
      const revoked = await as(created.apiKey, 'apikey', 'revoke', original.keyId, '--url', first.url); // … until it is revoked on the first
      expect([revoked.code, revoked.stdout]).toEqual([0, expect.stringMatching(new RegExp(`^revoked ${original.keyId} at `))]);
      const refused = await as(apiKey, 'agent', 'list', '--url', second.url);
      expect([refused.code, refused.stderr]).toEqual([2, expect.stringMatching(/Unknown or revoked API key.*\[UNAUTHORIZED\]/)]);
      const last = await as(created.apiKey, 'apikey', 'revoke', created.keyId, '--url', second.url);
      expect([last.code, last.stderr]).toEqual([2, expect.stringMatching(/last active API key; create another first .*\[LAST_API_KEY\]/)]);

      const agent = JSON.parse((await as(created.apiKey, 'agent', 'create', '--url', first.url, '--name', 'old pi', '--scopes', 'sensor:read', '--json')).stdout);
      expect((await as(created.apiKey, 'agent', 'deactivate', agent.agentId, '--url', second.url)).code).toBe(0);
      const api = new Api(first.authority, created.apiKey, first.url);
      const bundle = await api.post('/v1/consent-bundles', { agentId: agent.agentId, userId: 'u', scopes: ['sensor:read'] });
      expect([bundle.status, bundle.body.code]).toEqual([409, 'AGENT_INACTIVE']);
    } finally {
      await first.close();
      await second.close();
      await store.dispose();
    }
  });
});
