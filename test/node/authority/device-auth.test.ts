// Device credentials at the authority (PROTOCOL.md §7–§9), on PGlite and PostgreSQL: what a
// stolen device credential, a replayed proof, a leaked code and a copied old key can do.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../../src/index.js';
import { derToPem, fromHex } from '../../../src/crypto/index.js';
import { createAuthority } from '../../../src/authority/index.js';
import { deviceKey, enrollDevice, makeProof, type Device } from './device-client.js';
import { Api, ENGINES, rowCounts, startTestAuthority } from './harness.js';

describe.each(ENGINES)('device credentials on %s', (engine) => {
  let t: Awaited<ReturnType<typeof startTestAuthority>>;
  let api: Api;
  const clock = { offset: 0 };
  beforeAll(async () => {
    t = await startTestAuthority(engine, { now: () => Date.now() + clock.offset });
    api = await t.developer();
  });
  afterAll(() => t.dispose());

  describe('enrollment', () => {
    it('mints a 192-bit single-use code, stores only its hash, and redeems it for a bundle bound to the device key', async () => {
      const { device, bundle, enrollment } = await enrollDevice(api);
      expect(enrollment.code).toMatch(/^oce_[A-Za-z0-9_-]{32}$/);
      expect(enrollment).toMatchObject({ status: 'pending', bundleId: null, offlineTTL: '72h', maxLifetime: '30d' });
      const stored = await t.db.query<Record<string, unknown>>('SELECT * FROM enrollments WHERE id = $1', [enrollment.enrollmentId]);
      expect(JSON.stringify(stored)).not.toContain(enrollment.code);
      expect(bundle.offlineAuditKey).toEqual({ publicKey: device.key.publicPem, algorithm: 'Ed25519' });
      expect(bundle).toMatchObject({ enrolled: true, auditKeySpans: [{ fromSeq: 1, toSeq: null, publicKey: device.key.publicPem }] });
      expect(decodeJwt(bundle.grantToken)).toMatchObject({ sub: 'alice', scp: ['sensor:read', 'door:open'] });
      const after = (await api.get(`/v1/enrollments/${enrollment.enrollmentId}`)).body;
      expect(after).toMatchObject({ status: 'redeemed', bundleId: bundle.bundleId });
      expect(after.redeemedAt).toEqual(expect.any(String));
    });

    it('a second redeem of a used code is refused and revokes the bundle the code produced', async () => {
      const agent = (await api.post('/v1/agents', { name: 'x', scopes: ['s:r'] })).body;
      const { code, enrollmentId } = (await api.post('/v1/enrollments', { agentId: agent.agentId, userId: 'u', scopes: ['s:r'] })).body;
      const first = await api.as(null).post('/v1/enrollments/redeem', { code, auditPublicKey: (await deviceKey()).publicPem });
      expect(first.status).toBe(201);
      const again = await api.as(null).post('/v1/enrollments/redeem', { code, auditPublicKey: (await deviceKey()).publicPem });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'ENROLLMENT_REUSED', bundleId: first.body.bundleId });
      expect((await api.get(`/v1/consent-bundles/${first.body.bundleId}`)).body).toMatchObject({ status: 'revoked' });
      expect((await api.get(`/v1/enrollments/${enrollmentId}`)).body.status).toBe('reused');
    });

    it('an expired, cancelled or unknown code gets a typed 4xx and nothing is issued', async () => {
      const agent = (await api.post('/v1/agents', { name: 'x', scopes: ['s:r'] })).body;
      const mint = async (extra = {}) => (await api.post('/v1/enrollments', { agentId: agent.agentId, userId: 'u', scopes: ['s:r'], ...extra })).body;
      const redeem = async (code: string) => api.as(null).post('/v1/enrollments/redeem', { code, auditPublicKey: (await deviceKey()).publicPem });
      const cancelled = await mint();
      expect((await api.call('DELETE', `/v1/enrollments/${cancelled.enrollmentId}`)).body.status).toBe('cancelled');
      const expired = await mint({ codeTTL: '1m' });
      const before = await rowCounts(t.db);
      clock.offset = 61_000;
      try {
        expect((await redeem(expired.code)).body.code).toBe('ENROLLMENT_EXPIRED');
        expect((await api.get(`/v1/enrollments/${expired.enrollmentId}`)).body.status).toBe('expired');
      } finally {
        clock.offset = 0;
      }
      const cases = [
        [cancelled.code, 410, 'ENROLLMENT_CANCELLED'],
        [`oce_${'A'.repeat(32)}`, 404, 'ENROLLMENT_NOT_FOUND'],
        ['not-a-code', 404, 'ENROLLMENT_NOT_FOUND'],
      ] as const;
      for (const [code, status, errorCode] of cases) {
        const res = await redeem(code);
        expect([res.status, res.body.code]).toEqual([status, errorCode]);
      }
      expect(await rowCounts(t.db)).toEqual(before);
      const badKey = await api.as(null).post('/v1/enrollments/redeem', { code: (await mint()).code, auditPublicKey: 'nope' });
      expect([badKey.status, badKey.body.code]).toEqual([400, 'INVALID_AUDIT_KEY']);
    });

    it('a device key of small order is refused (400 INVALID_AUDIT_KEY, code still unused): an all-zero signature would verify under it', async () => {
      const agent = (await api.post('/v1/agents', { name: 'x', scopes: ['s:r'] })).body;
      const { code, enrollmentId } = (await api.post('/v1/enrollments', { agentId: agent.agentId, userId: 'u', scopes: ['s:r'] })).body;
      // The order-8 point y = p - c, sign bit set: Node's Web Crypto verifies a zero signature under it.
      const smallOrder = derToPem(fromHex('302a300506032b6570032100' + '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85'), 'PUBLIC KEY');
      const res = await api.as(null).post('/v1/enrollments/redeem', { code, auditPublicKey: smallOrder });
      expect([res.status, res.body.code]).toEqual([400, 'INVALID_AUDIT_KEY']);
      expect(res.body.message).toMatch(/small order/);
      expect((await api.get(`/v1/enrollments/${enrollmentId}`)).body.status).toBe('pending');
      const ok = await api.as(null).post('/v1/enrollments/redeem', { code, auditPublicKey: (await deviceKey()).publicPem });
      expect(ok.status).toBe(201);
    });

    it('checks what it mints: registered scopes, code TTL ≤ 24 h, maxLifetime ≥ offlineTTL; a redeemed code cannot be cancelled', async () => {
      const agent = (await api.post('/v1/agents', { name: 'x', scopes: ['s:r'] })).body;
      const mint = (extra: Record<string, unknown>) => api.post('/v1/enrollments', { agentId: agent.agentId, userId: 'u', scopes: ['s:r'], ...extra });
      expect((await mint({ scopes: ['s:w'] })).body.code).toBe('INVALID_SCOPES');
      expect((await mint({ codeTTL: '25h' })).status).toBe(422);
      expect((await mint({ maxLifetime: '1h', offlineTTL: '2h' })).status).toBe(422);
      expect((await mint({ maxLifetime: 'forever' })).body.code).toBe('INVALID_TTL');
      const { enrollment } = await enrollDevice(api);
      expect((await api.call('DELETE', `/v1/enrollments/${enrollment.enrollmentId}`)).body.code).toBe('ENROLLMENT_REDEEMED');
      const other = await t.developer();
      expect((await other.get(`/v1/enrollments/${enrollment.enrollmentId}`)).status).toBe(404);
    });
  });

  describe('a stolen device credential', () => {
    let alice: Device;
    let bob: Device;
    beforeAll(async () => {
      alice = (await enrollDevice(api)).device;
      bob = (await enrollDevice(api)).device;
      await bob.append(2);
      expect((await bob.sync(bob.entries)).status).toBe(200);
    });

    it("reaches no other bundle and nothing of the tenant: list, read, refresh, sync, enroll, agents → 401/403", async () => {
      const before = await rowCounts(t.db);
      const attempts: [string, string, unknown?][] = [
        ['GET', '/v1/consent-bundles'],
        ['GET', `/v1/consent-bundles/${bob.bundleId}`],
        ['GET', `/v1/consent-bundles/${alice.bundleId}`], // its own record is an API-key read too
        ['GET', `/v1/consent-bundles/${bob.bundleId}/audit`],
        ['GET', `/v1/consent-bundles/${bob.bundleId}/revocation-status`],
        ['POST', `/v1/consent-bundles/${bob.bundleId}/refresh`, { auditPublicKey: (await deviceKey()).publicPem }],
        ['POST', `/v1/consent-bundles/${bob.bundleId}/revoke`, {}],
        ['POST', '/v1/enrollments', { agentId: 'x', userId: 'mallory', scopes: ['sensor:read'] }],
        ['GET', '/v1/agents'],
        ['POST', '/v1/agents', { name: 'evil', scopes: ['a'] }],
        ['POST', '/v1/consent-bundles', { agentId: 'x', userId: 'u', scopes: ['a'] }],
      ];
      for (const [method, path, body] of attempts) {
        const res = await alice.call(method, path, body, { head: alice.head });
        expect([res.status, res.body.code], `${method} ${path}`).toEqual([403, 'DEVICE_NOT_ALLOWED']);
      }
      await alice.append(1);
      const intoBob = await alice.call('POST', '/v1/audit/offline-sync', { bundleId: bob.bundleId, entries: alice.entries }, { head: alice.head });
      expect([intoBob.status, intoBob.body.code]).toEqual([403, 'DEVICE_BUNDLE_MISMATCH']);
      // A proof made for bob's bundle with alice's key does not verify.
      const forged = await alice.call('GET', `/v1/consent-bundles/${bob.bundleId}/revocation-status`, undefined, { bid: bob.bundleId });
      expect([forged.status, forged.body.reason]).toEqual([401, 'signature']);
      const counts = await rowCounts(t.db);
      expect(counts).toEqual(before);
    });

    it('its own sync, revocation status, audit read, refresh and self-revoke work', async () => {
      const me = (await enrollDevice(api)).device;
      await me.append(3);
      expect((await me.sync(me.entries)).body).toMatchObject({ accepted: 3, revocationStatus: 'valid' });
      expect((await me.call('GET', `/v1/consent-bundles/${me.bundleId}/revocation-status`)).body.data).toMatchObject({ bundleId: me.bundleId, status: 'active' });
      expect((await me.call('GET', `/v1/consent-bundles/${me.bundleId}/audit?afterSeq=1`)).body.entries.map((e: { seq: number }) => e.seq)).toEqual([2, 3]);
      const next = await deviceKey();
      const refreshed = await me.refresh(next);
      expect(refreshed.status).toBe(200);
      me.key = next;
      const revoked = await me.call('POST', `/v1/consent-bundles/${me.bundleId}/revoke`, {});
      expect(revoked.body).toMatchObject({ status: 'revoked' });
    });

    it('device calls are rate limited per bundle, not per tenant', async () => {
      const limited = new Api(await createAuthority({ db: t.db, rateLimits: { sync: { limit: 2, windowMs: 60_000 } } }), api.apiKey);
      const one = (await enrollDevice(limited)).device;
      const two = (await enrollDevice(limited)).device;
      for (let i = 0; i < 2; i++) expect((await one.sync([])).status).toBe(200);
      expect((await one.sync([])).status).toBe(429);
      expect((await two.sync([])).status).toBe(200);
    });
  });

  describe('a captured proof', () => {
    it('replayed, replayed after the window, sent to another URL or method, or with another body → 401, nothing written', async () => {
      const { device } = await enrollDevice(api);
      await device.append(2);
      const body = JSON.stringify({ bundleId: device.bundleId, entries: device.entries });
      const url = `${api.base}/v1/audit/offline-sync`;
      const send = (proof: string, raw = body, path = '/v1/audit/offline-sync', method = 'POST') =>
        api.as(null).call(method, path, undefined, { raw, headers: { 'OC-Device-Proof': proof, 'Content-Type': 'application/json' } });
      const proof = await makeProof(device.key.privateKey, { bid: device.bundleId, htm: 'POST', htu: url, body, head: device.head });
      const before = await rowCounts(t.db);
      const cases: [string, () => Promise<{ status: number; body: any }>][] = [
        ['body', () => send(proof, JSON.stringify({ bundleId: device.bundleId, entries: device.entries.slice(0, 1) }))],
        ['url', () => send(proof, body, `/v1/consent-bundles/${device.bundleId}/revoke`)],
        ['stale', async () => send(await makeProof(device.key.privateKey, { bid: device.bundleId, htm: 'POST', htu: url, body, head: device.head, iat: Math.floor(Date.now() / 1000) - 61 }))],
        ['stale', async () => send(await makeProof(device.key.privateKey, { bid: device.bundleId, htm: 'POST', htu: url, body, head: device.head, iat: Math.floor(Date.now() / 1000) + 61 }))],
        ['header', async () => send(await makeProof(device.key.privateKey, { bid: device.bundleId, htm: 'POST', htu: url, body, head: device.head, header: { alg: 'EdDSA', typ: 'JWT' } }))],
        ['claims', async () => send(await makeProof(device.key.privateKey, { bid: device.bundleId, htm: 'POST', htu: url, body }))],
        ['malformed', () => send('a.b')],
      ];
      for (const [reason, attempt] of cases) {
        const res = await attempt();
        expect([res.status, res.body.code, res.body.reason], reason).toEqual([401, 'INVALID_DEVICE_PROOF', reason]);
      }
      expect(await rowCounts(t.db)).toEqual(before);
      expect((await send(proof)).body.accepted).toBe(2);
      const replay = await send(proof);
      expect([replay.status, replay.body.reason]).toEqual([401, 'replayed']);
      const both = await api.call('POST', '/v1/audit/offline-sync', undefined, { raw: body, headers: { 'OC-Device-Proof': proof, 'Content-Type': 'application/json' } });
      expect([both.status, both.body.code]).toEqual([400, 'AMBIGUOUS_CREDENTIALS']);
    });

    it('a replay to a second authority process on the same database is refused too', async () => {
      const second = new Api(await createAuthority({ db: t.db, rateLimits: false }), null);
      const { device } = await enrollDevice(api);
      const path = `/v1/consent-bundles/${device.bundleId}/revocation-status`;
      const proof = await makeProof(device.key.privateKey, { bid: device.bundleId, htm: 'GET', htu: `${api.base}${path}` });
      const headers = { 'OC-Device-Proof': proof };
      expect((await api.as(null).call('GET', path, undefined, { headers })).status).toBe(200);
      const replay = await second.call('GET', path, undefined, { headers });
      expect([replay.status, replay.body.reason]).toEqual([401, 'replayed']);
    });
  });

  describe('refresh with key continuity', () => {
    it('a stale head is refused; past the span the old key is refused with its seq; the new key is accepted', async () => {
      const { device } = await enrollDevice(api);
      await device.append(3);
      await device.sync(device.entries.slice(0, 2));
      const next = await deviceKey();
      const stale = await device.refresh(next);
      expect([stale.status, stale.body.code, stale.body.headSeq]).toEqual([409, 'HEAD_MISMATCH', 2]);
      await device.sync(device.entries.slice(2));
      const ok = await device.refresh(next);
      expect(ok.status).toBe(200);
      expect(ok.body.offlineAuditKey).toEqual({ publicKey: next.publicPem, algorithm: 'Ed25519' });
      expect(ok.body.auditKeySpans).toEqual([
        { fromSeq: 1, toSeq: 3, publicKey: device.key.publicPem },
        { fromSeq: 4, toSeq: null, publicKey: next.publicPem },
      ]);
      const old = device.key;
      const copy = structuredClone(device.entries);
      const forged = await device.append(1, old.privateKey); // a copy of the old key signs seq 4
      const refused = await device.sync(forged, { key: old.privateKey });
      expect([refused.status, refused.body.reason]).toEqual([401, 'signature']); // its proofs no longer verify either
      device.key = next;
      const viaNew = await device.sync(forged);
      expect(viaNew.status).toBe(400);
      expect(viaNew.body.errors).toEqual([expect.objectContaining({ seq: 4, code: 'INVALID_SIGNATURE', message: expect.stringContaining('audit key 2, whose span starts at seq 4') })]);
      device.entries = copy;
      expect((await device.sync(await device.append(2))).body.accepted).toBe(2);
    });

    it('a lost answer retried with the same key and head gets the same bundle; a second new key for that head suspends the bundle', async () => {
      const { device } = await enrollDevice(api);
      await device.append(2);
      await device.sync(device.entries);
      const next = await deviceKey();
      const first = await device.refresh(next);
      expect(first.status).toBe(200);
      const retried = await device.refresh(next); // still signed with the old key: the device never saw the answer
      expect(retried.status).toBe(200);
      expect(retried.body).toEqual(first.body);
      const fork = await device.refresh(await deviceKey());
      expect([fork.status, fork.body.code]).toEqual([409, 'BUNDLE_FORKED']);
      expect((await api.get(`/v1/consent-bundles/${device.bundleId}`)).body).toMatchObject({ status: 'suspended', suspendedAt: expect.any(String) });
      device.key = next;
      expect((await device.refresh(await deviceKey())).body.code).toBe('BUNDLE_SUSPENDED');
      expect((await api.post(`/v1/consent-bundles/${device.bundleId}/resume`)).body.status).toBe('active');
      expect((await device.refresh(await deviceKey())).status).toBe(200);
    });

    it('an idle device may refresh twice at the same head with its new key', async () => {
      const { device } = await enrollDevice(api);
      for (let i = 0; i < 2; i++) {
        const next = await deviceKey();
        expect((await device.refresh(next)).status).toBe(200);
        device.key = next;
      }
      await device.append(1);
      expect((await device.sync(device.entries)).body.accepted).toBe(1);
    });

    it('a trail over three refreshes verifies at the authority, span by span, with one key per entry', async () => {
      const { device } = await enrollDevice(api);
      for (let round = 0; round < 3; round++) {
        await device.sync(await device.append(3));
        const next = await deviceKey();
        expect((await device.refresh(next)).status).toBe(200);
        device.key = next;
      }
      await device.sync(await device.append(2));
      const record = (await api.get(`/v1/consent-bundles/${device.bundleId}`)).body;
      expect(record.auditKeySpans.map((s: { fromSeq: number; toSeq: number | null }) => [s.fromSeq, s.toSeq])).toEqual([[1, 3], [4, 6], [7, 9], [10, null]]);
      const entries = (await api.get(`/v1/consent-bundles/${device.bundleId}/audit`)).body.entries;
      expect(await verifyChain(entries)).toEqual({ valid: true, count: 11 });
      for (const span of record.auditKeySpans) {
        const part = entries.filter((e: { seq: number }) => e.seq >= span.fromSeq && e.seq <= (span.toSeq ?? Infinity));
        const previous = entries.find((e: { seq: number }) => e.seq === span.fromSeq - 1);
        expect(await verifyChain(part, { publicKey: span.publicKey, ...(previous ? { previous: { seq: previous.seq, hash: previous.hash } } : {}) })).toMatchObject({ valid: true });
      }
      const versions = await t.db.query<{ audit_key_version: number }>('SELECT audit_key_version FROM audit_entries WHERE bundle_id = $1 ORDER BY seq', [device.bundleId]);
      expect(versions.map((r) => Number(r.audit_key_version))).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4]);
    });

    it('an enrolled bundle refuses API-key refreshes; refreshes are rate limited per bundle; a revoked one stays 409; past maxLifetime REENROLL_REQUIRED', async () => {
      const { device } = await enrollDevice(api, ['sensor:read'], { offlineTTL: '1h', maxLifetime: '2h' });
      const viaKey = await api.post(`/v1/consent-bundles/${device.bundleId}/refresh`);
      expect([viaKey.status, viaKey.body.code]).toEqual([409, 'DEVICE_REFRESH_REQUIRED']);
      const withKey = await api.post(`/v1/consent-bundles/${device.bundleId}/refresh`, { auditPublicKey: (await deviceKey()).publicPem });
      expect(withKey.body.code).toBe('DEVICE_PROOF_REQUIRED');
      clock.offset = 2 * 3_600_000;
      try {
        const late = await device.refresh(await deviceKey(), { iat: Math.floor((Date.now() + clock.offset) / 1000) });
        expect([late.status, late.body.code]).toMatchObject([409, expect.stringMatching(/REENROLL_REQUIRED|BUNDLE_EXPIRED/)]);
      } finally {
        clock.offset = 0;
      }
      const limited = new Api(await createAuthority({ db: t.db, rateLimits: { refresh: { limit: 2, windowMs: 3_600_000 } } }), api.apiKey);
      const d = (await enrollDevice(limited)).device;
      for (let i = 0; i < 2; i++) {
        const next = await deviceKey();
        expect((await d.refresh(next)).status).toBe(200);
        d.key = next;
      }
      expect((await d.refresh(await deviceKey())).status).toBe(429);
      const gone = (await enrollDevice(api)).device;
      await api.post(`/v1/consent-bundles/${gone.bundleId}/revoke`, {});
      expect((await gone.refresh(await deviceKey())).body.code).toBe('BUNDLE_REVOKED');
    });

    it('the offline deadline never passes the enrollment lifetime', async () => {
      const { bundle } = await enrollDevice(api, ['sensor:read'], { offlineTTL: '72h', maxLifetime: '72h' });
      const lifetime = (await api.get(`/v1/consent-bundles/${bundle.bundleId}`)).body.lifetimeEndsAt;
      expect(Date.parse(bundle.offlineExpiresAt)).toBeLessThanOrEqual(Date.parse(lifetime));
    });
  });
});
