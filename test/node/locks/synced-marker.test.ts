// A `.synced` marker past the head or unreadable is not trusted: the live segment counts as
// unsynced again, and the next sync re-uploads it to the real authority, which accepts it
// (idempotent), so no entry the authority never got is ever counted as synced.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOfflineAuditLog, syncAuditLog, type AuditRecovery } from '../../../src/node.js';
import { startTestAuthority, type Api } from '../authority/harness.js';

let t: Awaited<ReturnType<typeof startTestAuthority>>;
let api: Api;
let dir: string;
beforeAll(async () => {
  t = await startTestAuthority('pglite');
  api = await t.developer();
  dir = mkdtempSync(join(tmpdir(), 'oc-synced-'));
});
afterAll(async () => {
  await t?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

it.each([['past the head', '99'], ['garbage', 'not a number']])('a .synced marker %s resets to the live segment, is reported, and the re-upload is accepted', async (_, marker) => {
  const { agentId } = (await api.post('/v1/agents', { name: 'pi', scopes: ['sensor:read'] })).body;
  const bundle = (await api.post('/v1/consent-bundles', { agentId, userId: 'user_alice', scopes: ['sensor:read'], offlineTTL: '1h' })).body;
  const { agentDID, grantId } = (await api.get(`/v1/consent-bundles/${bundle.bundleId}`)).body;
  const path = join(dir, `${bundle.bundleId}.jsonl`);
  const entry = (i: number) => ({ action: 'sensor.read', agentDID, grantId, scopes: ['sensor:read'], result: 'success', metadata: { i } });
  const sync = (log: Parameters<typeof syncAuditLog>[0]) =>
    syncAuditLog(log, { endpoint: 'http://authority.test', apiKey: api.apiKey!, bundleId: bundle.bundleId, fetch: (url, init) => t.authority.fetch(new Request(url, init)) });

  const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: path });
  for (let i = 0; i < 3; i++) await log.append(entry(i));
  expect((await sync(log)).syncedCount).toBe(3);
  for (let i = 3; i < 5; i++) await log.append(entry(i)); // never uploaded
  await log.close();

  writeFileSync(`${path}.synced`, marker); // the old code counted 4 and 5 as synced for "99"
  const recoveries: AuditRecovery[] = [];
  const reopened = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: path, onRecover: (r) => recoveries.push(r) });
  expect(await reopened.unsyncedCount()).toBe(5);
  expect(recoveries.map((r) => r.kind)).toEqual(['synced-marker']);
  expect(recoveries[0]!.message).toContain('using 0');

  const result = await sync(reopened);
  expect(result).toMatchObject({ hasErrors: false, syncedCount: 5 });
  expect(await reopened.unsyncedCount()).toBe(0);
  const stored = (await api.get(`/v1/consent-bundles/${bundle.bundleId}/audit`)).body.entries as { seq: number }[];
  expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  await reopened.close();
});
