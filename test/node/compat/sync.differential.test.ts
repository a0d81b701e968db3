// Side by side: upstream's syncAuditLog over its own file log, and ours over ours, each with the
// same 25 actions, against one real authority on loopback (PGlite). The answers must be the same
// where MIGRATING.md says so; the differences it lists are asserted as differences.
import { initAuthority, startAuthority, type RunningAuthority } from 'offline-consent/authority';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ours, upstream } from './stacks.js';

let dir: string;
let server: RunningAuthority;
let apiKey: string;
let agentId: string;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oc-sync-diff-'));
  const location = { dataDir: join(dir, 'db') };
  apiKey = (await initAuthority(location)).apiKey;
  server = await startAuthority({ ...location, rateLimits: false });
  const res = await fetch(`${server.url}/v1/agents`, { method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'pi', scopes: ['sensor:read'] }) });
  agentId = ((await res.json()) as { agentId: string }).agentId;
});
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A bundle from the authority (its key given as upstream's strings). */
async function issue(stack: string) {
  const bundle = await ours.createConsentBundle({ apiKey, baseUrl: server.url, agentId, userId: `user_${stack}`, scopes: ['sensor:read'] });
  const { publicKey, privateKey, algorithm } = bundle.offlineAuditKey;
  if (typeof privateKey !== 'string') throw new Error('expected a PEM private key in an API-key bundle');
  return { bundle, signingKey: { publicKey, privateKey, algorithm }, logPath: join(dir, `${stack}-${bundle.bundleId}.jsonl`) };
}

/** `count` actions, appended as an upstream user's code would. */
async function fill(log: { append: (e: ours.AuditEntry) => Promise<unknown> }, grant: { agentDID: string; grantId: string; scopes: string[] }, count: number) {
  for (let i = 0; i < count; i++) {
    await log.append({ action: 'tool:read_sensor', agentDID: grant.agentDID, grantId: grant.grantId, scopes: grant.scopes, result: 'success', metadata: { i } });
  }
}

async function upstreamStack(count: number) {
  const { bundle, signingKey, logPath } = await issue('upstream');
  const log = upstream.createOfflineAuditLog({ signingKey, logPath });
  await fill(log, await upstream.createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot }).verify(bundle.grantToken), count);
  return { bundle, log };
}

async function ourStack(count: number) {
  const { bundle, signingKey, logPath } = await issue('ours');
  const log = ours.createOfflineAuditLog({ signingKey, logPath });
  closers.push(() => log.close());
  await fill(log, await ours.createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot }).verify(bundle.grantToken), count);
  return { bundle, log };
}

const stored = async (bundleId: string) => {
  const res = await fetch(`${server.url}/v1/consent-bundles/${bundleId}/audit`, { headers: { Authorization: `Bearer ${apiKey}` } });
  return ((await res.json()) as { entries: unknown[] }).entries;
};

describe('syncAuditLog, upstream and ours side by side', () => {
  it('25 entries in batches of 10: the same result, both logs fully marked, both trails stored', async () => {
    const u = await upstreamStack(25);
    const o = await ourStack(25);
    const uResult = await upstream.syncAuditLog(u.log, { endpoint: server.url, apiKey, bundleId: u.bundle.bundleId, batchSize: 10 });
    const oResult = await ours.syncAuditLog(o.log, { endpoint: server.url, apiKey, bundleId: o.bundle.bundleId, batchSize: 10 });
    expect(uResult).toEqual({ syncedCount: 25, hasErrors: false, errors: [] });
    expect(oResult).toMatchObject(uResult); // ours adds accepted, rejected, revocationStatus, …
    expect([await u.log.unsyncedCount(), await o.log.unsyncedCount()]).toEqual([0, 0]);
    expect([(await stored(u.bundle.bundleId)).length, (await stored(o.bundle.bundleId)).length]).toEqual([25, 25]);
  });

  it('nothing pending: the same empty answer from both, with no request (the endpoint does not even listen)', async () => {
    const u = await upstreamStack(0);
    const o = await ourStack(0);
    const nowhere = 'http://127.0.0.1:1';
    const uResult = await upstream.syncAuditLog(u.log, { endpoint: nowhere, apiKey, bundleId: u.bundle.bundleId });
    const oResult = await ours.syncAuditLog(o.log, { endpoint: nowhere, apiKey, bundleId: o.bundle.bundleId });
    expect(uResult).toEqual({ syncedCount: 0, hasErrors: false, errors: [] });
    expect(oResult).toMatchObject({ ...uResult, revocationStatus: 'unknown' });
  });

  it('authority unreachable: both report the failure and keep every entry pending; errors are strings upstream, objects here', async () => {
    const u = await upstreamStack(3);
    const o = await ourStack(3);
    const nowhere = 'http://127.0.0.1:1';
    const uResult = await upstream.syncAuditLog(u.log, { endpoint: nowhere, apiKey, bundleId: u.bundle.bundleId });
    const oResult = await ours.syncAuditLog(o.log, { endpoint: nowhere, apiKey, bundleId: o.bundle.bundleId, retryDelaysMs: [200, 400] });
    expect([uResult.syncedCount, uResult.hasErrors, oResult.syncedCount, oResult.hasErrors]).toEqual([0, true, 0, true]);
    expect(uResult.errors).toEqual([expect.stringMatching(/^Failed batch seq 1-3: /)]);
    expect(oResult.errors).toEqual([expect.objectContaining({ code: 'NETWORK_ERROR', message: expect.any(String) })]);
    expect([await u.log.unsyncedCount(), await o.log.unsyncedCount()]).toEqual([3, 3]);
  });

  it("endpoint: bundle.syncEndpoint, as upstream's README passes it: ours syncs, upstream's client doubles the path", async () => {
    const u = await upstreamStack(2);
    const o = await ourStack(2);
    const uResult = await upstream.syncAuditLog(u.log, { endpoint: u.bundle.syncEndpoint, apiKey, bundleId: u.bundle.bundleId });
    const oResult = await ours.syncAuditLog(o.log, { endpoint: o.bundle.syncEndpoint, apiKey, bundleId: o.bundle.bundleId });
    expect(uResult).toMatchObject({ syncedCount: 0, hasErrors: true, errors: [expect.stringMatching(/HTTP 404/)] });
    expect(oResult).toMatchObject({ syncedCount: 2, hasErrors: false, errors: [] });
  });
});
