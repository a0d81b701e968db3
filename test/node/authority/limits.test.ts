// Grant limits at the authority (issue 18), on both engines: limits given at issuance are checked
// as a device reads them (400 INVALID_LIMITS), signed into the grant token and kept by every
// refresh; at sync the authority recounts them from the stored trail plus the upload with the
// device's own model, flags each entry that overran one `limitExceeded` (a forged overrun,
// across uploads too), leaves an honest guard's trail alone, and reports the same usage as the
// guard in the sync answer, `GET …/:id` and `GET …/:id/audit`.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentGuard, createMemoryAuditStore, createOfflineAuditLog, enforceLimits, type SignedAuditEntry } from '../../../src/index.js';
import { LIMITS_CLAIM, parseLimits, type GrantLimit } from '../../../src/verifier/limits.js';
import { deviceKey, enrollDevice } from './device-client.js';
import { Api, ENGINES, rowCounts, startTestAuthority } from './harness.js';

const SYNC = '/v1/audit/offline-sync';
const SCOPES = ['sensor:read', 'thermostat:write', 'payments:send'];
const LIMITS: GrantLimit[] = [
  { scope: 'thermostat:write', kind: 'rate', max: 3, per: '1h' },
  { scope: 'sensor:read', kind: 'total', max: 4 },
  { scope: 'payments:send', kind: 'budget', sum: 'amount', max: 50, unit: 'EUR' },
  { scope: 'thermostat:write', kind: 'bounds', arg: 'celsius', min: 16, max: 24 },
];

const claimOf = (token: string) => decodeJwt(token)[LIMITS_CLAIM];

describe.each(ENGINES)('grant limits on %s', (engine) => {
  let t: Awaited<ReturnType<typeof startTestAuthority>>;
  let api: Api;
  let agentId: string;

  beforeAll(async () => {
    t = await startTestAuthority(engine);
    api = await t.developer();
    agentId = (await api.post('/v1/agents', { name: 'pi', scopes: SCOPES })).body.agentId;
  });
  afterAll(() => t?.dispose());

  const newBundle = async (body: Record<string, unknown> = {}) => {
    const res = await api.post('/v1/consent-bundles', { agentId, userId: 'alice', scopes: SCOPES, limits: LIMITS, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  describe('issuance', () => {
    it('signs the limits into the grant token, where parseLimits reads them back; an API-key refresh signs the same ones', async () => {
      const b = await newBundle();
      expect(claimOf(b.grantToken)).toEqual(LIMITS);
      expect(parseLimits(claimOf(b.grantToken), SCOPES)).toEqual(LIMITS);
      const refreshed = await api.post(`/v1/consent-bundles/${b.bundleId}/refresh`);
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.grantToken).not.toBe(b.grantToken);
      expect(claimOf(refreshed.body.grantToken)).toEqual(LIMITS);
      const shown = await api.get(`/v1/consent-bundles/${b.bundleId}`);
      expect(shown.body.limits.map((u: { limit: GrantLimit }) => u.limit)).toEqual(LIMITS);
    });

    it('a bundle without limits has no limits claim and shows limits: []', async () => {
      for (const limits of [undefined, null, []]) {
        const b = await newBundle({ limits });
        expect(Object.keys(decodeJwt(b.grantToken))).not.toContain(LIMITS_CLAIM);
        expect((await api.get(`/v1/consent-bundles/${b.bundleId}`)).body.limits).toEqual([]);
      }
    });

    it('an enrollment carries its limits to the bundle its code becomes, and a device refresh keeps them', async () => {
      const limits = [{ scope: 'door:open', kind: 'total', max: 2 }];
      const { device, bundle, enrollment } = await enrollDevice(api, ['sensor:read', 'door:open'], { limits });
      expect(enrollment.limits).toEqual(limits);
      expect((await api.get(`/v1/enrollments/${enrollment.enrollmentId}`)).body.limits).toEqual(limits);
      expect(claimOf(bundle.grantToken)).toEqual(limits);
      const next = await deviceKey();
      const refreshed = await device.refresh(next);
      expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
      expect(claimOf(refreshed.body.grantToken)).toEqual(limits);
    });

    const DEFECTS: [string, unknown, RegExp][] = [
      ['an unknown kind', [{ scope: 'sensor:read', kind: 'quota', max: 1 }], /unknown kind "quota"/],
      ['a scope the grant does not hold', [{ scope: 'door:open', kind: 'total', max: 1 }], /scope the grant does not hold/],
      ['a bad per', [{ scope: 'sensor:read', kind: 'rate', max: 1, per: '1 hour' }], /"per"/],
      ['a missing field', [{ scope: 'sensor:read', kind: 'rate', max: 1 }], /(lacks|missing).*"per"/],
      ['an unknown field', [{ scope: 'sensor:read', kind: 'total', max: 1, every: '1h' }], /unknown field "every"/],
      ['a fractional max on a count', [{ scope: 'sensor:read', kind: 'total', max: 1.5 }], /"max"/],
      ['bounds that bound nothing', [{ scope: 'thermostat:write', kind: 'bounds', arg: 'celsius' }], /bounds nothing/],
      ['not an array', { scope: 'sensor:read', kind: 'total', max: 1 }, /must be an array/],
      ['33 limits', Array.from({ length: 33 }, () => ({ scope: 'sensor:read', kind: 'total', max: 1 })), /at most 32/],
    ];
    it.each(DEFECTS)('%s is 400 INVALID_LIMITS on both issuance endpoints, and nothing is written', async (_name, limits, message) => {
      const before = await rowCounts(t.db);
      const enrollments = async () => Number((await t.db.query<{ n: number }>('SELECT count(*) AS n FROM enrollments'))[0]!.n);
      const pending = await enrollments();
      const bundle = await api.post('/v1/consent-bundles', { agentId, userId: 'alice', scopes: SCOPES, limits });
      const enrollment = await api.post('/v1/enrollments', { agentId, userId: 'alice', scopes: SCOPES, limits });
      for (const res of [bundle, enrollment]) {
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('INVALID_LIMITS');
        expect(res.body.message).toMatch(message);
      }
      expect(await rowCounts(t.db)).toEqual(before);
      expect(await enrollments()).toBe(pending);
    });
  });

  /** The bundle's own audit log, in memory, writing whatever it is told: what a tampered device can sign. */
  function forger(bundle: any, at: () => number) {
    const claims = decodeJwt(bundle.grantToken) as { agt: string; grnt: string };
    const log = createOfflineAuditLog({ bundle, store: createMemoryAuditStore(), now: at });
    const ran = (scope: string, result = 'success', metadata?: Record<string, unknown>) =>
      log.append({ action: `tool:${scope}`, agentDID: claims.agt, grantId: claims.grnt, scopes: [scope], result, ...(metadata ? { metadata } : {}) });
    return { log, ran };
  }
  const readAll = async (log: { read(): AsyncIterable<SignedAuditEntry> }) => {
    const out: SignedAuditEntry[] = [];
    for await (const e of log.read()) out.push(e);
    return out;
  };
  const withFlag = async (bundleId: string) =>
    ((await api.get(`/v1/consent-bundles/${bundleId}/audit?flag=limitExceeded`)).body.entries as { seq: number }[]).map((e) => e.seq);

  it('a forged overrun is flagged limitExceeded on exactly the entries that broke a limit, across two uploads', async () => {
    const b = await newBundle();
    let now = Date.now() - 10 * 60_000;
    const { log, ran } = forger(b, () => (now += 1000));
    await ran('thermostat:write', 'success', { limitArgs: { celsius: 20 } }); // 1: rate 1/3
    await ran('thermostat:write', 'success', { limitArgs: { celsius: 21 } }); // 2: rate 2/3
    await ran('sensor:read'); // 3: total 1/4
    await ran('payments:send', 'success', { limitArgs: { amount: 30 } }); // 4: 30/50 EUR
    await ran('thermostat:write', 'success', { limitArgs: { celsius: 30 } }); // 5: out of bounds
    const first = await api.post(SYNC, { bundleId: b.bundleId, entries: await readAll(log) });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: 5, flagged: [{ seq: 5, flags: ['limitExceeded'] }] });

    await ran('thermostat:write', 'success', { limitArgs: { celsius: 20 } }); // 6: rate 4/3
    await ran('thermostat:write', 'scope_violation', { limitArgs: { celsius: 20 }, error: 'LIMIT_EXCEEDED' }); // 7: refused, not counted
    await ran('payments:send', 'success', { limitArgs: { amount: 25 } }); // 8: 55/50 EUR
    await ran('sensor:read', 'execution_error', { error: 'Error' }); // 9: total 2/4 (it ran)
    await ran('sensor:read'); // 10: 3/4
    await ran('sensor:read'); // 11: 4/4
    await ran('sensor:read'); // 12: 5/4
    const second = await api.post(SYNC, { bundleId: b.bundleId, entries: (await readAll(log)).slice(5) });
    expect(second.status).toBe(200);
    expect(second.body.flagged).toEqual([6, 8, 12].map((seq) => ({ seq, flags: ['limitExceeded'] })));
    expect(await withFlag(b.bundleId)).toEqual([5, 6, 8, 12]);
    // A replay of what is stored changes nothing and keeps the flags it was stored with.
    const replay = await api.post(SYNC, { bundleId: b.bundleId, entries: await readAll(log) });
    expect(replay.body.flagged).toEqual([5, 6, 8, 12].map((seq) => ({ seq, flags: ['limitExceeded'] })));
    expect(second.body.limits.map((u: { used: number; remaining: number | null }) => [u.used, u.remaining])).toEqual([[4, 0], [5, 0], [55, 0], [0, null]]);
  });

  it('an entry that breaks a limit and is odd otherwise gets both flags, in the flag order', async () => {
    const b = await newBundle({ limits: [{ scope: 'sensor:read', kind: 'total', max: 0 }] });
    const { log, ran } = forger(b, () => Date.now());
    const claims = decodeJwt(b.grantToken) as { agt: string; grnt: string };
    await log.append({ action: 'tool:x', agentDID: claims.agt, grantId: claims.grnt, scopes: ['sensor:read', 'email:send'], result: 'success' });
    await ran('sensor:read', 'auth_failure');
    const res = await api.post(SYNC, { bundleId: b.bundleId, entries: await readAll(log) });
    expect(res.body.flagged).toEqual([{ seq: 1, flags: ['outOfScope', 'limitExceeded'] }]);
  });

  it("an honest trail from the real guard is not flagged, and the authority's usage equals guard.usage() in the sync answer, GET …/:id and GET …/audit", async () => {
    const b = await newBundle();
    const log = createOfflineAuditLog({ bundle: b, store: createMemoryAuditStore() });
    const guard = createAgentGuard({ bundle: b, auditLog: log, limits: enforceLimits });
    const call = (scope: string, args?: Record<string, unknown>) => guard.run(`tool:${scope}`, [scope], () => 'ok', args ? { args } : {}).then(() => 'ran', (e: { code?: string }) => e.code);
    const outcomes = [
      ...(await Promise.all([20, 21, 22].map((celsius) => call('thermostat:write', { celsius })))),
      await call('thermostat:write', { celsius: 20 }), // the fourth in the hour
      await call('payments:send', { amount: 30 }),
      await call('payments:send', { amount: 25 }), // over the budget
      await call('payments:send', { amount: 20 }),
      ...(await Promise.all([1, 2, 3, 4, 5].map(() => call('sensor:read')))), // the fifth over the total
    ];
    expect(outcomes).toEqual(['ran', 'ran', 'ran', 'LIMIT_EXCEEDED', 'ran', 'LIMIT_EXCEEDED', 'ran', 'ran', 'ran', 'ran', 'ran', 'LIMIT_EXCEEDED']);
    const entries = await readAll(log);
    expect(entries.filter((e) => e.result === 'scope_violation')).toHaveLength(3);

    const synced = await api.post(SYNC, { bundleId: b.bundleId, entries });
    expect(synced.status).toBe(200);
    expect(synced.body).toMatchObject({ accepted: entries.length, flagged: [] });
    const usage = JSON.parse(JSON.stringify(await guard.usage()));
    expect(usage.map((u: { used: number }) => u.used)).toEqual([3, 4, 50, 0]);
    expect(synced.body.limits).toEqual(usage);
    expect(synced.body.data.limits).toEqual(usage);
    expect((await api.get(`/v1/consent-bundles/${b.bundleId}`)).body.limits).toEqual(usage);
    expect((await api.get(`/v1/consent-bundles/${b.bundleId}/audit?limit=2`)).body.limits).toEqual(usage);
    expect(await withFlag(b.bundleId)).toEqual([]);
  });

  it('a bundle without limits answers limits: [] at sync and in GET …/audit', async () => {
    const b = await newBundle({ limits: undefined });
    const { log, ran } = forger(b, () => Date.now());
    for (let i = 0; i < 3; i++) await ran('sensor:read');
    const res = await api.post(SYNC, { bundleId: b.bundleId, entries: await readAll(log) });
    expect(res.body).toMatchObject({ accepted: 3, flagged: [], limits: [] });
    expect((await api.get(`/v1/consent-bundles/${b.bundleId}/audit`)).body.limits).toEqual([]);
  });
});
