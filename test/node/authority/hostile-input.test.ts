// Wrong types, odd strings and hostile ids in every field of every write, on both engines:
// each answer is a 2xx or a 4xx with a code, never a 500, and a refused request writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedEntries } from './entries.js';
import { Api, ENGINES, rowCounts, startTestAuthority } from './harness.js';

const HOSTILE: unknown[] = [null, 0, -1, 1.5, 1e308, true, '', 'x'.repeat(5000), 'a\u0000b', '\ud800', [], [null], {}, { nested: { deeper: [1] } }];
const HOSTILE_IDS = ['%00', 'x'.repeat(5000), '%F0%28%8C%BC', "'%3B%20DROP%20TABLE%20agents%3B%20--", '..%2F..%2Fetc', '%E0%A4%A'];

describe.each(ENGINES)('hostile input on %s', (engine) => {
  let t: Awaited<ReturnType<typeof startTestAuthority>>;
  let api: Api;
  let agentId: string;
  let bundle: any;
  const unexpected: unknown[] = [];

  beforeAll(async () => {
    t = await startTestAuthority(engine, { onError: (e) => unexpected.push(e) });
    api = await t.developer();
    agentId = (await api.post('/v1/agents', { name: 'pi', scopes: ['sensor:read'] })).body.agentId;
    bundle = (await api.post('/v1/consent-bundles', { agentId, userId: 'u', scopes: ['sensor:read'] })).body;
  });
  afterAll(() => t?.dispose());

  /** Sends the request; a refusal must carry a code and leave every table as it was. */
  async function probe(method: string, path: string, body: unknown): Promise<number> {
    const before = await rowCounts(t.db);
    const res = await api.call(method, path, body);
    expect(res.status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 120)}`).not.toBe(500);
    if (res.status >= 400) {
      expect(res.status).toBeLessThan(500);
      expect(res.body).toMatchObject({ code: expect.any(String), requestId: expect.any(String) });
      expect(await rowCounts(t.db)).toEqual(before);
    }
    return res.status;
  }

  it('every field of POST /v1/agents and POST /v1/consent-bundles', async () => {
    const writes: [string, Record<string, unknown>][] = [
      ['/v1/agents', { name: 'n', description: 'd', scopes: ['s'] }],
      ['/v1/consent-bundles', { agentId, userId: 'u', scopes: ['sensor:read'], offlineTTL: '1h', offlineAuditKeyAlgorithm: 'Ed25519', deviceId: 'd', devicePlatform: 'p' }],
    ];
    const statuses = new Set<number>();
    for (const [path, valid] of writes) {
      for (const field of Object.keys(valid)) {
        for (const value of HOSTILE) statuses.add(await probe('POST', path, { ...valid, [field]: value }));
      }
    }
    expect([...statuses].some((s) => s >= 400)).toBe(true);
    expect(unexpected).toEqual([]);
  });

  it('every field of an offline-sync body and of the entries in it', async () => {
    const [entry] = await signedEntries(bundle, 1);
    const valid = { bundleId: bundle.bundleId, deviceId: 'd', entries: [entry] };
    for (const field of Object.keys(valid)) {
      for (const value of HOSTILE) await probe('POST', '/v1/audit/offline-sync', { ...valid, [field]: value });
    }
    for (const field of Object.keys(entry!)) {
      for (const value of HOSTILE) {
        const status = await probe('POST', '/v1/audit/offline-sync', { bundleId: bundle.bundleId, entries: [{ ...entry, [field]: value }] });
        expect(status).toBeGreaterThanOrEqual(400); // Any change breaks the hash or the signature.
      }
    }
    expect(unexpected).toEqual([]);
  });

  it('hostile ids in paths and query strings are 404 or 400', async () => {
    for (const id of HOSTILE_IDS) {
      for (const path of [`/v1/agents/${id}`, `/v1/consent-bundles/${id}`, `/v1/consent-bundles/${id}/audit`, `/v1/consent-bundles/${id}/revocation-status`]) {
        expect([400, 404]).toContain(await probe('GET', path, undefined));
      }
      for (const path of [`/v1/consent-bundles/${id}/refresh`, `/v1/consent-bundles/${id}/revoke`]) expect([400, 404]).toContain(await probe('POST', path, {}));
      for (const query of [`agentId=${id}`, `cursor=${id}`, `status=${id}`, `limit=${id}`]) {
        expect([200, 400]).toContain(await probe('GET', `/v1/consent-bundles?${query}`, undefined));
      }
      expect([200, 400]).toContain(await probe('GET', `/v1/consent-bundles/${bundle.bundleId}/audit?afterSeq=${id}`, undefined));
    }
    expect(unexpected).toEqual([]);
  });
});
