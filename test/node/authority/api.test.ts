// Every endpoint except offline-sync, on both engines: happy paths, error codes, tenancy.
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfflineVerifier } from '../../../src/index.js';
import { ed25519Sign, ed25519Verify, importEd25519PrivateKey, importEd25519PublicKey } from '../../../src/crypto/ed25519.js';
import { utf8Encode } from '../../../src/crypto/utf8.js';
import { createAuthority } from '../../../src/authority/index.js';
import { Api, ENGINES, rowCounts, startTestAuthority } from './harness.js';

const HOUR = 3_600_000;

describe.each(ENGINES)('authority API on %s', (engine) => {
  const clock = { offset: 0 };
  let t: Awaited<ReturnType<typeof startTestAuthority>>;
  let api: Api;
  let other: Api;
  let agent: any;

  beforeAll(async () => {
    t = await startTestAuthority(engine, { now: () => Date.now() + clock.offset });
    api = await t.developer();
    other = await t.developer();
    agent = (await api.post('/v1/agents', { name: 'thermostat', description: 'living room', scopes: ['sensor:read', 'thermostat:write'] })).body;
  });
  afterAll(() => t?.dispose());

  const newBundle = (body: Record<string, unknown> = {}, as: Api = api) =>
    as.post('/v1/consent-bundles', { agentId: agent.agentId, userId: 'user_alice', scopes: ['sensor:read'], ...body });

  describe('health, JWKS, authentication', () => {
    it('GET /health answers without a key and names the engine', async () => {
      const res = await api.as(null).get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', engine });
    });

    it('GET /.well-known/jwks.json publishes RS256 public keys only', async () => {
      const res = await api.as(null).get('/.well-known/jwks.json');
      expect(res.status).toBe(200);
      expect(res.body.keys.length).toBeGreaterThanOrEqual(1);
      for (const k of res.body.keys) {
        expect(k).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
        expect(typeof k.kid).toBe('string');
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k).not.toHaveProperty(secret);
      }
    });

    it.each([
      ['no header', {}],
      ['an unknown key', { Authorization: 'Bearer oc_not-a-key-anyone-has-000000000' }],
      ['another scheme', { Authorization: 'Basic dXNlcjpwYXNz' }],
      ['an empty bearer', { Authorization: 'Bearer ' }],
    ])('401 UNAUTHORIZED with %s, as { code, message, requestId } and an x-request-id header', async (_name, headers) => {
      const res = await api.as(null).call('GET', '/v1/agents', undefined, { headers });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ code: 'UNAUTHORIZED', message: expect.any(String), requestId: expect.any(String) });
      expect(res.headers.get('x-request-id')).toBe(res.body.requestId);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('an unknown route is 404 NOT_FOUND in the same error shape', async () => {
      const res = await api.get('/v1/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'NOT_FOUND', requestId: expect.any(String) });
    });

    it('a body over the size limit is 413 PAYLOAD_TOO_LARGE and stores nothing', async () => {
      const before = await rowCounts(t.db);
      const res = await api.call('POST', '/v1/agents', undefined, {
        raw: JSON.stringify({ name: 'big', scopes: ['a'], description: 'x'.repeat(70_000) }),
        headers: { 'Content-Type': 'application/json' },
      });
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await rowCounts(t.db)).toEqual(before);
    });
  });

  describe('agents', () => {
    it('POST /v1/agents → 201 with the PROTOCOL fields, also under data', async () => {
      const res = await api.post('/v1/agents', { name: 'helper', scopes: ['calendar:read', 'calendar:read'] });
      expect(res.status).toBe(201);
      const expected = {
        agentId: expect.stringMatching(/^ag_/),
        did: `did:offlineconsent:${res.body.agentId}`,
        developerId: expect.stringMatching(/^dev_/),
        name: 'helper',
        description: '',
        scopes: ['calendar:read'],
        status: 'active',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      };
      expect(res.body).toEqual({ ...expected, data: expected });
    });

    it.each([
      ['missing name', { scopes: ['a'] }, 'BAD_REQUEST'],
      ['name not a string', { name: 7, scopes: ['a'] }, 'BAD_REQUEST'],
      ['scopes missing', { name: 'x' }, 'BAD_REQUEST'],
      ['scopes empty', { name: 'x', scopes: [] }, 'BAD_REQUEST'],
      ['scopes not strings', { name: 'x', scopes: [1] }, 'BAD_REQUEST'],
      ['a scope with a comma', { name: 'x', scopes: ['a,b'] }, 'BAD_REQUEST'],
      ['a NUL in the name', { name: 'x\u0000y', scopes: ['a'] }, 'BAD_REQUEST'],
      ['an array body', [], 'BAD_REQUEST'],
    ])('400 %s', async (_name, body, code) => {
      const res = await api.post('/v1/agents', body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe(code);
    });

    it('400 INVALID_JSON for a malformed body', async () => {
      const res = await api.call('POST', '/v1/agents', undefined, { raw: '{"name": "x", scopes: [}', headers: { 'Content-Type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_JSON');
    });

    it('GET /v1/agents lists only the caller\'s agents, newest first, a page at a time', async () => {
      const dev = await t.developer();
      const ids: string[] = [];
      for (const name of ['a1', 'a2', 'a3']) ids.push((await dev.post('/v1/agents', { name, scopes: ['s'] })).body.agentId);
      const first = await dev.get('/v1/agents?limit=2');
      expect(first.status).toBe(200);
      expect(first.body.agents.map((a: any) => a.agentId)).toEqual([ids[2], ids[1]]);
      expect(first.body.data.agents).toEqual(first.body.agents);
      const second = await dev.get(`/v1/agents?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.agents.map((a: any) => a.agentId)).toEqual([ids[0]]);
      expect(second.body.nextCursor).toBeNull();
      expect((await other.get('/v1/agents')).body.agents.map((a: any) => a.agentId)).not.toContain(ids[0]);
    });

    it('GET /v1/agents/:id reads one; unknown or another tenant\'s → 404 AGENT_NOT_FOUND', async () => {
      expect((await api.get(`/v1/agents/${agent.agentId}`)).body.name).toBe('thermostat');
      for (const res of [await api.get('/v1/agents/ag_unknown'), await other.get(`/v1/agents/${agent.agentId}`)]) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('AGENT_NOT_FOUND');
      }
    });

    it('bad paging parameters are 400', async () => {
      expect((await api.get('/v1/agents?limit=0')).status).toBe(400);
      expect((await api.get('/v1/agents?limit=abc')).status).toBe(400);
      const res = await api.get('/v1/agents?cursor=%27;drop%20table');
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_CURSOR');
    });
  });

  describe('consent bundles', () => {
    it('POST → 201 with the PROTOCOL §1 bundle, repeated under data', async () => {
      const before = Date.now() + clock.offset;
      const res = await newBundle({ deviceId: 'pi-kitchen', devicePlatform: 'linux-arm64' });
      expect(res.status).toBe(201);
      const b = res.body;
      expect(Object.keys(b).sort()).toEqual(
        ['bundleId', 'checkpointAt', 'data', 'grantToken', 'jwksSnapshot', 'offlineAuditKey', 'offlineExpiresAt', 'syncEndpoint'].sort(),
      );
      const { data, ...top } = b;
      expect(data).toEqual(top);
      expect(b.syncEndpoint).toBe('http://authority.test/v1/audit/offline-sync');
      expect(b.checkpointAt).toBeGreaterThanOrEqual(before);
      expect(b.offlineAuditKey.algorithm).toBe('Ed25519');
      expect(b.jwksSnapshot.validUntil).toBe(b.offlineExpiresAt);
      expect(Date.parse(b.offlineExpiresAt) - b.checkpointAt).toBeGreaterThan(72 * HOUR - 1000);
      expect(Date.parse(b.offlineExpiresAt) - b.checkpointAt).toBeLessThanOrEqual(72 * HOUR);
    });

    it('the grant token carries iss, sub, agt, dev, scp, jti, grnt, iat, exp and verifies offline with the snapshot', async () => {
      const b = (await newBundle({ deviceId: 'pi-kitchen', scopes: ['sensor:read', 'thermostat:write'] })).body;
      const claims = decodeJwt(b.grantToken);
      expect(claims).toMatchObject({
        iss: 'http://authority.test',
        sub: 'user_alice',
        agt: agent.did,
        dev: agent.developerId,
        dvc: 'pi-kitchen',
        scp: ['sensor:read', 'thermostat:write'],
        jti: expect.stringMatching(/^tok_/),
        grnt: expect.stringMatching(/^grnt_/),
      });
      expect(claims.exp! * 1000).toBe(Date.parse(b.offlineExpiresAt));
      expect(decodeProtectedHeader(b.grantToken)).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
      const verifier = createOfflineVerifier({ jwksSnapshot: b.jwksSnapshot, requireScopes: ['thermostat:write'] });
      const grant = await verifier.verify(b.grantToken);
      expect(grant).toMatchObject({ agentDID: agent.did, principalDID: 'user_alice', grantId: claims.grnt, jti: claims.jti });
    });

    it('the audit key pair is a working Ed25519 pair', async () => {
      const { offlineAuditKey } = (await newBundle()).body;
      const data = utf8Encode('probe');
      const sig = await ed25519Sign(await importEd25519PrivateKey(offlineAuditKey.privateKey), data);
      expect(await ed25519Verify(await importEd25519PublicKey(offlineAuditKey.publicKey), sig, data)).toBe(true);
    });

    it.each([
      ['30m', 30 * 60],
      ['168h', 168 * 3600],
      ['7d', 7 * 86400],
      ['90s', 90],
    ])('offlineTTL %s sets exp - iat to %i s', async (ttl, seconds) => {
      const { grantToken } = (await newBundle({ offlineTTL: ttl })).body;
      const { exp, iat } = decodeJwt(grantToken);
      expect(exp! - iat!).toBe(seconds);
    });

    it.each([
      ['abc', 400],
      ['72', 400],
      ['-5h', 400],
      ['0h', 400],
      [72, 400],
      ['169h', 422],
      ['8d', 422],
    ])('offlineTTL %j → %i INVALID_TTL', async (ttl, status) => {
      const res = await newBundle({ offlineTTL: ttl });
      expect(res.status).toBe(status);
      expect(res.body.code).toBe('INVALID_TTL');
    });

    it('422 INVALID_SCOPES for a scope the agent was not registered with', async () => {
      const res = await newBundle({ scopes: ['sensor:read', 'door:unlock'] });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'INVALID_SCOPES', invalidScopes: ['door:unlock'] });
    });

    it('404 AGENT_NOT_FOUND for an unknown agent and for another tenant\'s agent', async () => {
      for (const res of [await newBundle({ agentId: 'ag_nope' }), await newBundle({}, other)]) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('AGENT_NOT_FOUND');
      }
    });

    it.each([
      ['userId missing', { userId: undefined }],
      ['scopes not an array', { scopes: 'sensor:read' }],
      ['an unsupported audit key algorithm', { offlineAuditKeyAlgorithm: 'RSA' }],
      ['deviceId not a string', { deviceId: 42 }],
    ])('400 BAD_REQUEST for %s', async (_name, body) => {
      const res = await newBundle(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('BAD_REQUEST');
    });

    it('accepts the algorithm name in any case and ignores unknown fields', async () => {
      expect((await newBundle({ offlineAuditKeyAlgorithm: 'ed25519', somethingNew: true })).status).toBe(201);
    });

    it('409 AGENT_INACTIVE when the agent has been disabled', async () => {
      const a = (await api.post('/v1/agents', { name: 'retired', scopes: ['s'] })).body;
      await t.db.query("UPDATE agents SET status = 'disabled' WHERE id = $1", [a.agentId]);
      const res = await api.post('/v1/consent-bundles', { agentId: a.agentId, userId: 'u', scopes: ['s'] });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('AGENT_INACTIVE');
    });

    it('GET /:id returns the record without the token or any private key; other tenants get 404', async () => {
      const b = (await newBundle({ deviceId: 'd1' })).body;
      const res = await api.get(`/v1/consent-bundles/${b.bundleId}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        bundleId: b.bundleId,
        agentId: agent.agentId,
        agentDID: agent.did,
        userId: 'user_alice',
        scopes: ['sensor:read'],
        deviceId: 'd1',
        status: 'active',
        revokedAt: null,
        grantRevoked: false,
        offlineExpiresAt: b.offlineExpiresAt,
        checkpointAt: b.checkpointAt,
        auditPublicKey: b.offlineAuditKey.publicKey,
        syncedSeq: 0,
      });
      const text = JSON.stringify(res.body);
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain(b.grantToken);
      const foreign = await other.get(`/v1/consent-bundles/${b.bundleId}`);
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('BUNDLE_NOT_FOUND');
      for (const path of ['audit', 'revocation-status']) expect((await other.get(`/v1/consent-bundles/${b.bundleId}/${path}`)).status).toBe(404);
      for (const path of ['refresh', 'revoke']) expect((await other.post(`/v1/consent-bundles/${b.bundleId}/${path}`, {})).status).toBe(404);
      expect((await api.get(`/v1/consent-bundles/${b.bundleId}`)).body.status).toBe('active'); // The foreign revoke did nothing.
    });

    it('GET /v1/consent-bundles filters by status and agentId and pages with a cursor', async () => {
      const dev = await t.developer();
      const a1 = (await dev.post('/v1/agents', { name: 'one', scopes: ['s'] })).body.agentId;
      const a2 = (await dev.post('/v1/agents', { name: 'two', scopes: ['s'] })).body.agentId;
      const make = async (agentId: string, ttl = '72h') => (await dev.post('/v1/consent-bundles', { agentId, userId: 'u', scopes: ['s'], offlineTTL: ttl })).body.bundleId;
      const b1 = await make(a1);
      const b2 = await make(a1, '1h');
      const b3 = await make(a2);
      await dev.post(`/v1/consent-bundles/${b3}/revoke`, {});
      clock.offset = 2 * HOUR; // b2 is now past its offline deadline.
      try {
        const ids = async (query: string) => (await dev.get(`/v1/consent-bundles${query}`)).body.bundles.map((b: any) => b.bundleId);
        expect(await ids('')).toEqual([b3, b2, b1]);
        expect(await ids('?status=active')).toEqual([b1]);
        expect(await ids('?status=expired')).toEqual([b2]);
        expect(await ids('?status=revoked')).toEqual([b3]);
        expect(await ids(`?agentId=${a1}`)).toEqual([b2, b1]);
        const page = (await dev.get('/v1/consent-bundles?limit=2')).body;
        expect(page.bundles.map((b: any) => b.bundleId)).toEqual([b3, b2]);
        expect(await ids(`?limit=2&cursor=${page.nextCursor}`)).toEqual([b1]);
        expect((await dev.get('/v1/consent-bundles?status=paused')).status).toBe(400);
        expect((await other.get('/v1/consent-bundles')).body.bundles.map((b: any) => b.bundleId)).not.toContain(b1);
      } finally {
        clock.offset = 0;
      }
    });
  });

  describe('revocation and refresh', () => {
    it('revocation-status is { data: { bundleId, status, revokedAt, grantRevoked, checkpointAt } }', async () => {
      const b = (await newBundle()).body;
      const res = await api.get(`/v1/consent-bundles/${b.bundleId}/revocation-status`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: { bundleId: b.bundleId, status: 'active', revokedAt: null, grantRevoked: false, checkpointAt: b.checkpointAt } });
    });

    it('revoke is idempotent: the first revokedAt stays, revokeGrant only ever turns on', async () => {
      const b = (await newBundle()).body;
      const first = await api.post(`/v1/consent-bundles/${b.bundleId}/revoke`, {});
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ bundleId: b.bundleId, status: 'revoked', revokedAt: expect.any(String), grantRevoked: false });
      expect(first.body.data).toMatchObject({ status: 'revoked' });
      clock.offset = 5_000;
      try {
        const second = await api.post(`/v1/consent-bundles/${b.bundleId}/revoke`, { revokeGrant: true });
        expect(second.body).toMatchObject({ status: 'revoked', revokedAt: first.body.revokedAt, grantRevoked: true });
        const third = await api.call('POST', `/v1/consent-bundles/${b.bundleId}/revoke`); // No body at all.
        expect(third.body).toMatchObject({ revokedAt: first.body.revokedAt, grantRevoked: true });
      } finally {
        clock.offset = 0;
      }
      const status = (await api.get(`/v1/consent-bundles/${b.bundleId}/revocation-status`)).body.data;
      expect(status).toMatchObject({ status: 'revoked', revokedAt: first.body.revokedAt, grantRevoked: true });
    });

    it('revoke refuses a non-boolean revokeGrant with 400 and changes nothing', async () => {
      const b = (await newBundle()).body;
      const res = await api.post(`/v1/consent-bundles/${b.bundleId}/revoke`, { revokeGrant: 'yes' });
      expect(res.status).toBe(400);
      expect((await api.get(`/v1/consent-bundles/${b.bundleId}`)).body.status).toBe('active');
    });

    it('refresh issues a fresh token, snapshot, rotated audit key and deadline under the same grant', async () => {
      const b = (await newBundle({ offlineTTL: '10h' })).body;
      clock.offset = HOUR;
      try {
        const res = await api.call('POST', `/v1/consent-bundles/${b.bundleId}/refresh`, undefined, { headers: { 'Content-Type': 'application/json' } });
        expect(res.status).toBe(200);
        const r = res.body;
        expect(r.bundleId).toBe(b.bundleId);
        expect(r.data.grantToken).toBe(r.grantToken);
        expect(r.offlineAuditKey.publicKey).not.toBe(b.offlineAuditKey.publicKey);
        expect(r.checkpointAt).toBeGreaterThanOrEqual(b.checkpointAt + HOUR);
        expect(Date.parse(r.offlineExpiresAt) - Date.parse(b.offlineExpiresAt)).toBeGreaterThanOrEqual(HOUR - 1000);
        const [oldClaims, newClaims] = [decodeJwt(b.grantToken), decodeJwt(r.grantToken)];
        expect(newClaims.grnt).toBe(oldClaims.grnt);
        expect(newClaims.jti).not.toBe(oldClaims.jti);
        expect(newClaims.exp! - newClaims.iat!).toBe(10 * 3600);
        const record = (await api.get(`/v1/consent-bundles/${b.bundleId}`)).body;
        expect(record).toMatchObject({ auditPublicKey: r.offlineAuditKey.publicKey, offlineExpiresAt: r.offlineExpiresAt, checkpointAt: r.checkpointAt });
        await createOfflineVerifier({ jwksSnapshot: r.jwksSnapshot, now: () => Date.now() + clock.offset }).verify(r.grantToken);
      } finally {
        clock.offset = 0;
      }
    });

    it('refresh is 409 BUNDLE_REVOKED after revocation and 409 BUNDLE_EXPIRED past the deadline', async () => {
      const revoked = (await newBundle()).body;
      await api.post(`/v1/consent-bundles/${revoked.bundleId}/revoke`, {});
      const r1 = await api.post(`/v1/consent-bundles/${revoked.bundleId}/refresh`);
      expect(r1.status).toBe(409);
      expect(r1.body.code).toBe('BUNDLE_REVOKED');
      const expiring = (await newBundle({ offlineTTL: '1h' })).body;
      clock.offset = 2 * HOUR;
      try {
        const r2 = await api.post(`/v1/consent-bundles/${expiring.bundleId}/refresh`);
        expect(r2.status).toBe(409);
        expect(r2.body.code).toBe('BUNDLE_EXPIRED');
        expect((await api.get(`/v1/consent-bundles/${expiring.bundleId}/revocation-status`)).body.data.status).toBe('expired');
      } finally {
        clock.offset = 0;
      }
    });

    it('refresh with a body that is not an object is 400 and rotates nothing', async () => {
      const b = (await newBundle()).body;
      const res = await api.post(`/v1/consent-bundles/${b.bundleId}/refresh`, [1, 2]);
      expect(res.status).toBe(400);
      expect((await api.get(`/v1/consent-bundles/${b.bundleId}`)).body.auditPublicKey).toBe(b.offlineAuditKey.publicKey);
    });
  });

  describe('signing key rotation', () => {
    it('new tokens use the new key; the retired key stays published so earlier tokens still verify', async () => {
      const before = (await newBundle({ offlineTTL: '2h' })).body;
      const oldKid = decodeProtectedHeader(before.grantToken).kid;
      const { kid, retiredKid } = await t.authority.rotateSigningKey();
      expect(retiredKid).toBe(oldKid);
      const after = (await newBundle({ offlineTTL: '1h' })).body;
      expect(decodeProtectedHeader(after.grantToken).kid).toBe(kid);
      const kids = async () => (await api.as(null).get('/.well-known/jwks.json')).body.keys.map((k: any) => k.kid);
      expect(await kids()).toEqual(expect.arrayContaining([kid, oldKid]));
      // The old token still verifies against the new bundle's snapshot, which lists both keys.
      await createOfflineVerifier({ jwksSnapshot: after.jwksSnapshot }).verify(before.grantToken);
    });

    it('drops a retired key once all its tokens have expired', async () => {
      const s = await startTestAuthority(engine, { now: () => Date.now() + clock.offset });
      try {
        const dev = await s.developer();
        const a = (await dev.post('/v1/agents', { name: 'x', scopes: ['s'] })).body.agentId;
        const b = (await dev.post('/v1/consent-bundles', { agentId: a, userId: 'u', scopes: ['s'], offlineTTL: '1h' })).body;
        const oldKid = decodeProtectedHeader(b.grantToken).kid;
        const { kid } = await s.authority.rotateSigningKey();
        const kids = async () => (await dev.as(null).get('/.well-known/jwks.json')).body.keys.map((k: any) => k.kid);
        expect(await kids()).toEqual([kid, oldKid]);
        clock.offset = 2 * HOUR;
        expect(await kids()).toEqual([kid]);
      } finally {
        clock.offset = 0;
        await s.dispose();
      }
    });
  });

  describe('CORS', () => {
    const preflight = (authority: { fetch(r: Request): Promise<Response> }, origin: string) =>
      authority.fetch(
        new Request('http://authority.test/v1/audit/offline-sync', {
          method: 'OPTIONS',
          headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
        }),
      );

    it('is off by default: no browser origin is allowed', async () => {
      const res = await preflight(t.authority, 'https://app.example');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('with corsOrigins, a listed origin may call the device endpoints with a proof, never an API-key endpoint', async () => {
      const open = await createAuthority({ db: t.db, rateLimits: false, corsOrigins: ['https://app.example'] });
      const ask = (path: string, origin: string, headers = 'oc-device-proof,content-type') =>
        open.fetch(new Request(`http://authority.test${path}`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': headers } }));
      for (const path of ['/v1/audit/offline-sync', '/v1/enrollments/redeem', '/v1/consent-bundles/cb_1/refresh', '/v1/consent-bundles/cb_1/revocation-status']) {
        const ok = await ask(path, 'https://app.example');
        expect(ok.status, path).toBe(204);
        expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
        expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('oc-device-proof');
        expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).not.toContain('authorization');
      }
      // API-key endpoints: no CORS answer at all, so a page cannot use a key it somehow holds.
      for (const path of ['/v1/agents', '/v1/consent-bundles', '/v1/enrollments', '/v1/consent-bundles/cb_1']) {
        const res = await ask(path, 'https://app.example', 'authorization,content-type');
        expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
      }
      const get = await open.fetch(new Request('http://authority.test/v1/agents', { headers: { Origin: 'https://app.example', Authorization: `Bearer ${api.apiKey}` } }));
      expect(get.headers.get('access-control-allow-origin')).toBeNull();
      const denied = await ask('/v1/audit/offline-sync', 'https://evil.example');
      expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('rate limits', () => {
    it('429 RATE_LIMITED with Retry-After once an API key used up its bundle creations; other keys are unaffected', async () => {
      let now = Date.now();
      const limited = await createAuthority({ db: t.db, now: () => now, rateLimits: { createBundle: { limit: 2, windowMs: 60_000 } } });
      const mine = new Api(limited, api.apiKey);
      const create = (as: Api) => as.post('/v1/consent-bundles', { agentId: agent.agentId, userId: 'u', scopes: ['sensor:read'] });
      expect((await create(mine)).status).toBe(201);
      expect((await create(mine)).status).toBe(201);
      const refused = await create(mine);
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      const otherDev = await t.developer();
      const theirAgent = (await otherDev.post('/v1/agents', { name: 'x', scopes: ['s'] })).body.agentId;
      expect((await new Api(limited, otherDev.apiKey).post('/v1/consent-bundles', { agentId: theirAgent, userId: 'u', scopes: ['s'] })).status).toBe(201);
      now += 60_000;
      expect((await create(mine)).status).toBe(201);
      await limited.close(); // Does not close the shared database.
      expect((await api.get('/health')).status).toBe(200);
    });
  });
});
