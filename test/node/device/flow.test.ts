// The device side against the real authority over real HTTP (PGlite): enroll with the API key
// (the developer's backend), then everything else with device proofs only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthority, type RunningAuthority } from '../../../src/authority/node-server.js';
import { openPglite } from '../../../src/authority/db/pglite.js';
import {
  AuthorityError,
  DEVICE_PROOF_HEADER,
  createAgentGuard,
  createDeviceProof,
  createMemoryAuditStore,
  createOfflineAuditLog,
  redeemEnrollment,
  refreshBundle,
  revocationStatus,
  revokeOwnBundle,
  syncAuditLog,
  verifyChain,
  type ConsentBundle,
  type OfflineAuditLog,
  type SignedAuditEntry,
} from '../../../src/index.js';
import { Api } from '../authority/harness.js';

let server: RunningAuthority;
let api: Api;
let agentId: string;

beforeAll(async () => {
  server = await startAuthority({ db: await openPglite(), rateLimits: false });
  const { apiKey } = await server.authority.createDeveloper('device-test');
  api = new Api(server.authority, apiKey, server.url);
  agentId = (await api.post('/v1/agents', { name: 'pi', scopes: ['sensor:read', 'email:send'] })).body.agentId;
});
afterAll(() => server?.close());

async function enroll(): Promise<string> {
  const res = await api.post('/v1/enrollments', { agentId, userId: 'user_alice', scopes: ['sensor:read'], offlineTTL: '1h' });
  expect(res.status).toBe(201);
  return res.body.code;
}

async function enrolledDevice(): Promise<{ bundle: ConsentBundle; log: OfflineAuditLog }> {
  const bundle = await redeemEnrollment({ baseUrl: server.url, code: await enroll(), deviceId: 'pi-1' });
  const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, store: createMemoryAuditStore(), keySpans: bundle.auditKeySpans!, durability: 'none' });
  return { bundle, log };
}

/** Guarded tool calls under the current bundle: each appends its outcome to the log. */
async function act(bundle: ConsentBundle, log: OfflineAuditLog, calls: number): Promise<number> {
  const before = (await log.head())?.seq ?? 0;
  const guard = createAgentGuard({ bundle, auditLog: log });
  for (let i = 0; i < calls; i++) await guard.run('read_sensor', ['sensor:read'], () => 21.5, { metadata: { i } });
  return ((await log.head())?.seq ?? 0) - before;
}

/** The device's own stored trail, read with a device proof. */
async function storedTrail(bundle: ConsentBundle): Promise<SignedAuditEntry[]> {
  const url = `${server.url}/v1/consent-bundles/${bundle.bundleId}/audit`;
  const proof = await createDeviceProof({ privateKey: bundle.offlineAuditKey.privateKey, bundleId: bundle.bundleId, method: 'GET', url });
  const res = await fetch(`${url}?limit=1000`, { headers: { [DEVICE_PROOF_HEADER]: proof } });
  expect(res.status).toBe(200);
  const body = await res.json();
  return (body.data ?? body).entries;
}

describe('device flow over HTTP, no API key on the device', () => {
  it('redeem → appends → sync → three refreshes with appends between → sync; log and stored trail verify over every key span', async () => {
    let { bundle, log } = await enrolledDevice();
    expect(typeof bundle.offlineAuditKey.privateKey).toBe('string');
    expect(bundle.enrolled).toBe(true);
    for (let round = 0; round < 3; round++) {
      const added = await act(bundle, log, 2);
      const synced = await syncAuditLog(log, { bundle });
      expect(synced).toMatchObject({ hasErrors: false, accepted: added, revocationStatus: 'valid' });
      const before = bundle.offlineAuditKey.publicKey;
      bundle = await refreshBundle(bundle, { log });
      expect(bundle.offlineAuditKey.publicKey).not.toBe(before);
      expect(bundle.auditKeySpans).toHaveLength(round + 2);
      expect(await log.keySpans()).toEqual(bundle.auditKeySpans);
    }
    const added = await act(bundle, log, 1);
    expect(await syncAuditLog(log, { bundle })).toMatchObject({ hasErrors: false, accepted: added });
    const count = (await log.head())!.seq;
    expect(count).toBeGreaterThanOrEqual(7);
    expect(await log.verify()).toEqual({ valid: true, count });
    const stored = await storedTrail(bundle);
    expect(stored).toHaveLength(count);
    expect(await verifyChain(stored, { keys: bundle.auditKeySpans! })).toEqual({ valid: true, count });
    // One key for the whole trail does not verify it: the spans are what make it valid.
    expect(await verifyChain(stored, { publicKey: bundle.offlineAuditKey.publicKey })).toMatchObject({ valid: false, reason: 'signature' });
  });

  it('revocationStatus and revokeOwnBundle with a proof; a refresh after that is BUNDLE_REVOKED and leaves the log as it was', async () => {
    const { bundle, log } = await enrolledDevice();
    expect(await revocationStatus(bundle)).toMatchObject({ bundleId: bundle.bundleId, status: 'active', revokedAt: null, grantRevoked: false });
    await revokeOwnBundle(bundle);
    const status = await revocationStatus(bundle);
    expect(status.status).toBe('revoked');
    expect(typeof status.revokedAt).toBe('string');
    const spans = await log.keySpans();
    await expect(refreshBundle(bundle, { log })).rejects.toMatchObject({ code: 'BUNDLE_REVOKED', status: 409 });
    expect(await log.keySpans()).toEqual(spans);
  });

  it('a reused code is ENROLLMENT_REUSED (409), and an unknown code ENROLLMENT_NOT_FOUND (404)', async () => {
    const code = await enroll();
    await redeemEnrollment({ baseUrl: server.url, code });
    await expect(redeemEnrollment({ baseUrl: server.url, code })).rejects.toMatchObject({ code: 'ENROLLMENT_REUSED', status: 409 });
    const unknown = await redeemEnrollment({ baseUrl: server.url, code: `oce_${'A'.repeat(32)}` }).catch((e) => e);
    expect(unknown).toBeInstanceOf(AuthorityError);
    expect(unknown).toMatchObject({ code: 'ENROLLMENT_NOT_FOUND', status: 404 });
  });

  it('a non-extractable key (extractable: false) syncs and refreshes; the new key is non-extractable too', async () => {
    const bundle = await redeemEnrollment({ baseUrl: server.url, code: await enroll(), extractable: false });
    const key = bundle.offlineAuditKey.privateKey as CryptoKey;
    expect(key.extractable).toBe(false);
    const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, store: createMemoryAuditStore(), durability: 'none' });
    await act(bundle, log, 1);
    const next = await refreshBundle(bundle, { log });
    expect((next.offlineAuditKey.privateKey as CryptoKey).extractable).toBe(false);
    const added = await act(next, log, 1);
    expect(await syncAuditLog(log, { bundle: next })).toMatchObject({ hasErrors: false, accepted: added });
    expect(await log.verify()).toMatchObject({ valid: true });
  });

  it('a refresh whose first answer is dropped (a fetch wrapper drops it) is retried with the same key and gets the same bundle', async () => {
    const { bundle, log } = await enrolledDevice();
    await act(bundle, log, 1);
    let dropped = 0;
    const answers: string[] = [];
    const dropFirstRefresh: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).endsWith('/refresh')) {
        answers.push(await res.clone().text());
        if (dropped++ === 0) throw new TypeError('connection reset (answer dropped by the test)');
      }
      return res;
    };
    const next = await refreshBundle(bundle, { log, fetch: dropFirstRefresh, retryDelaysMs: [10] });
    expect(answers).toHaveLength(2);
    const [first, second] = answers.map((a) => JSON.parse(a));
    expect(second.grantToken).toBe(first.grantToken);
    expect(next.grantToken).toBe(first.grantToken);
    expect(next.checkpointAt).toBe(first.checkpointAt);
    const added = await act(next, log, 1);
    expect(await syncAuditLog(log, { bundle: next })).toMatchObject({ hasErrors: false, accepted: added });
  });

  it('every attempt lost → REFRESH_OUTCOME_UNKNOWN with retry; refreshBundle(bundle, { log, retry }) repeats it and installs the key', async () => {
    const { bundle, log } = await enrolledDevice();
    await act(bundle, log, 1);
    await syncAuditLog(log, { bundle });
    const spans = await log.keySpans();
    const lose: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).endsWith('/refresh')) throw new TypeError('answer lost (dropped by the test)');
      return res;
    };
    const error = await refreshBundle(bundle, { log, fetch: lose, retryDelaysMs: [5] }).catch((e) => e);
    expect(error).toBeInstanceOf(AuthorityError);
    expect(error.code).toBe('REFRESH_OUTCOME_UNKNOWN');
    const head = (await log.head())!;
    expect(error.retry.head).toEqual({ seq: head.seq, hash: head.hash });
    expect(await log.keySpans()).toEqual(spans);
    const next = await refreshBundle(bundle, { log, retry: error.retry });
    expect(next.offlineAuditKey.publicKey).toBe(error.retry.keyPair.publicKey);
    const added = await act(next, log, 1);
    expect(await syncAuditLog(log, { bundle: next })).toMatchObject({ hasErrors: false, accepted: added });
    expect(await log.verify()).toMatchObject({ valid: true });
  });
});
