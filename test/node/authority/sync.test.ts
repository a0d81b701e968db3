// POST /v1/audit/offline-sync and GET …/audit on both engines: PROTOCOL.md §5 verification,
// idempotent replays, the per-bundle lock under concurrent uploads, and no partial writes.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GENESIS_HASH, computeEntryHash, signEntryHash, verifyChain, type SignedAuditEntry } from '../../../src/index.js';
import { generateEd25519KeyPair, importEd25519PrivateKey } from '../../../src/crypto/ed25519.js';
import { createAuthority } from '../../../src/authority/index.js';
import { GENESIS, headOf, signedEntries } from './entries.js';
import { Api, ENGINES, rowCounts, startTestAuthority } from './harness.js';

const SYNC = '/v1/audit/offline-sync';

/** Re-signs an edited entry so that only the property under test is wrong. */
async function resign(entry: SignedAuditEntry, privateKey: string): Promise<SignedAuditEntry> {
  const { hash: _h, signature: _s, ...base } = entry;
  const hash = await computeEntryHash(base);
  return { ...base, hash, signature: await signEntryHash(await importEd25519PrivateKey(privateKey), hash) };
}

describe.each(ENGINES)('offline sync on %s', (engine) => {
  const clock = { offset: 0 };
  let t: Awaited<ReturnType<typeof startTestAuthority>>;
  let api: Api;
  let agentId: string;

  beforeAll(async () => {
    t = await startTestAuthority(engine, { now: () => Date.now() + clock.offset });
    api = await t.developer();
    agentId = (await api.post('/v1/agents', { name: 'pi', scopes: ['sensor:read', 'thermostat:write'] })).body.agentId;
  });
  afterAll(() => t?.dispose());

  const newBundle = async (body: Record<string, unknown> = {}) =>
    (await api.post('/v1/consent-bundles', { agentId, userId: 'user_alice', scopes: ['sensor:read', 'thermostat:write'], ...body })).body;
  const sync = (bundleId: string, entries: unknown[], as: Api = api) => as.post(SYNC, { bundleId, entries });
  const stored = async (bundleId: string) =>
    Number((await t.db.query<{ n: number }>('SELECT count(*) AS n FROM audit_entries WHERE bundle_id = $1', [bundleId]))[0]!.n);
  const audit = async (bundleId: string, query = '') => (await api.get(`/v1/consent-bundles/${bundleId}/audit${query}`)).body;

  it('accepts a valid batch: 200 with accepted, rejected, revocationStatus, revokedAt, errors, newBundle, flagged, bundleFlags, limits (also under data)', async () => {
    const b = await newBundle();
    const res = await sync(b.bundleId, await signedEntries(b, 10));
    expect(res.status).toBe(200);
    const expected = { accepted: 10, rejected: 0, revocationStatus: 'valid', revokedAt: null, errors: [], newBundle: null, flagged: [], bundleFlags: [], limits: [] };
    expect(res.body).toEqual({ ...expected, data: expected });
    expect(await stored(b.bundleId)).toBe(10);
  });

  it('GET …/audit returns the entries in seq order with id and syncedAt, and they re-verify with the bundle key', async () => {
    const b = await newBundle();
    const entries = await signedEntries(b, 12);
    await sync(b.bundleId, entries.slice(6)).then((r) => expect(r.status).toBe(409)); // Not yet: seq 7 does not follow an empty chain.
    expect((await sync(b.bundleId, entries.slice(0, 6))).status).toBe(200);
    expect((await sync(b.bundleId, entries.slice(6))).status).toBe(200);
    const body = await audit(b.bundleId);
    expect(body.hasMore).toBe(false);
    expect(body.entries.map((e: any) => e.seq)).toEqual(entries.map((e) => e.seq));
    for (const [i, e] of body.entries.entries()) {
      expect(e).toEqual({ ...entries[i], id: expect.stringMatching(/^ae_/), syncedAt: expect.any(String), flags: [] });
      if (entries[i]!.metadata) expect(JSON.stringify(e.metadata)).toBe(JSON.stringify(entries[i]!.metadata)); // Key order kept.
    }
    expect(await verifyChain(body.entries, { publicKey: b.offlineAuditKey.publicKey })).toEqual({ valid: true, count: 12 });
    const record = (await api.get(`/v1/consent-bundles/${b.bundleId}`)).body;
    expect(record).toMatchObject({ syncedSeq: 12, syncedHash: entries[11]!.hash, lastSyncedAt: expect.any(String) });
  });

  it('GET …/audit pages with afterSeq and limit; bad values are 400', async () => {
    const b = await newBundle();
    const entries = await signedEntries(b, 7);
    await sync(b.bundleId, entries);
    const first = await audit(b.bundleId, '?limit=3');
    expect(first.entries.map((e: any) => e.seq)).toEqual([1, 2, 3]);
    expect(first).toMatchObject({ hasMore: true, nextAfterSeq: 3 });
    const rest = await audit(b.bundleId, '?afterSeq=3&limit=10');
    expect(rest.entries.map((e: any) => e.seq)).toEqual([4, 5, 6, 7]);
    expect(rest).toMatchObject({ hasMore: false, nextAfterSeq: null });
    expect(await verifyChain(rest.entries, { publicKey: b.offlineAuditKey.publicKey, previous: { seq: 3, hash: entries[2]!.hash } })).toMatchObject({ valid: true });
    for (const q of ['?limit=0', '?limit=1001', '?afterSeq=-1', '?afterSeq=x']) expect((await api.get(`/v1/consent-bundles/${b.bundleId}/audit${q}`)).status).toBe(400);
  });

  it('GET …/audit pages with the cursor to the end of a trail longer than a page, and filters flagged entries', async () => {
    const b = await newBundle();
    const entries = await signedEntries(b, 2300);
    // Three entries far in the future: signed evidence, stored and flagged afterDeadline (and the
    // entry after each, back in the present, clockAnomaly).
    for (const i of [700, 1500, 2299]) entries[i] = { ...entries[i]!, timestamp: '9999-12-31T00:00:00Z' };
    const chain: SignedAuditEntry[] = [];
    for (const e of entries) {
      const prevHash = chain.length ? chain.at(-1)!.hash : GENESIS_HASH;
      chain.push(await resign({ ...e, prevHash }, b.offlineAuditKey.privateKey));
    }
    for (let i = 0; i < chain.length; i += 500) expect((await sync(b.bundleId, chain.slice(i, i + 500))).status).toBe(200);
    const seen: number[] = [];
    let query = '';
    for (let pages = 0; pages < 10; pages++) {
      const page = await audit(b.bundleId, query);
      seen.push(...page.entries.map((e: any) => e.seq));
      if (!page.hasMore) {
        expect(page.nextCursor).toBeNull();
        break;
      }
      expect(page.nextCursor).toBe(String(page.nextAfterSeq));
      query = `?cursor=${page.nextCursor}`;
    }
    expect(seen).toEqual(chain.map((e) => e.seq)); // all 2,300, past the first 1,000, none twice
    const flagged = await audit(b.bundleId, '?flagged=true&limit=2');
    expect(flagged.entries.map((e: any) => [e.seq, e.flags])).toEqual([[701, ['afterDeadline']], [702, ['clockAnomaly']]]);
    expect((await audit(b.bundleId, `?flagged=true&cursor=${flagged.nextCursor}`)).entries.map((e: any) => e.seq)).toEqual([1501, 1502, 2300]);
    expect((await audit(b.bundleId, '?flag=afterDeadline')).entries.map((e: any) => e.seq)).toEqual([701, 1501, 2300]);
    expect((await audit(b.bundleId, '?flag=clockAnomaly')).entries.map((e: any) => e.seq)).toEqual([702, 1502]);
    expect((await audit(b.bundleId, '?flag=outOfScope')).entries).toEqual([]);
    for (const q of ['?flag=nope', '?flagged=yes', '?cursor=x', '?cursor=3&afterSeq=3']) expect((await api.get(`/v1/consent-bundles/${b.bundleId}/audit${q}`)).status, q).toBe(400);
  }, 120_000);

  it('metadata is stored as the exact JSON text: odd key orders, unicode, numbers and escapes re-verify', async () => {
    const b = await newBundle();
    // As JSON text, so `__proto__` becomes an own property the way a request body delivers it.
    const odd: string[] = [
      '{"2":"integer-like keys come first in JSON.stringify","b":1,"a":2}',
      '{"emoji":"🌡️","quote":"say \\"hi\\"\\n\\t\\\\","lone":"\\ud800","zero":-0,"float":0.30000000000000004,"big":1e21,"tiny":5e-324}',
      '{"nested":{"z":[],"y":{},"x":[{"b":null,"a":true}]}}',
      '{"__proto__":"own property, not a prototype","constructor":1}',
    ];
    const entries = await signedEntries(b, odd.length, GENESIS, (seq) => ({ metadata: JSON.parse(odd[seq - 1]!) }));
    expect(Object.keys(entries[3]!.metadata!)).toEqual(['__proto__', 'constructor']);
    expect((await sync(b.bundleId, entries)).body.accepted).toBe(odd.length);
    const back = (await audit(b.bundleId)).entries;
    expect(await verifyChain(back, { publicKey: b.offlineAuditKey.publicKey })).toEqual({ valid: true, count: odd.length });
    expect(back.map((e: any) => JSON.stringify(e.metadata))).toEqual(entries.map((e) => JSON.stringify(e.metadata)));
  });

  it('replaying an already synced batch is accepted again and stores no duplicate', async () => {
    const b = await newBundle();
    const entries = await signedEntries(b, 10);
    await sync(b.bundleId, entries);
    const again = await sync(b.bundleId, entries);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 10, rejected: 0, errors: [] });
    const overlapping = await sync(b.bundleId, [...entries.slice(5), ...(await signedEntries(b, 5, headOf(entries)))]);
    expect(overlapping.body).toMatchObject({ accepted: 10, rejected: 0 });
    expect(await stored(b.bundleId)).toBe(15);
    expect(await verifyChain((await audit(b.bundleId)).entries, { publicKey: b.offlineAuditKey.publicKey })).toEqual({ valid: true, count: 15 });
  });

  it('an empty batch is a no-op that still reports revocation', async () => {
    const b = await newBundle();
    expect((await sync(b.bundleId, [])).body).toMatchObject({ accepted: 0, rejected: 0, revocationStatus: 'valid' });
  });

  describe('refused entries: the prefix before the first one is stored, nothing after it', () => {
    it('a forged signature → 400 INVALID_AUDIT_ENTRIES naming its seq; the entries before it are stored and counted as accepted', async () => {
      const b = await newBundle();
      const entries = await signedEntries(b, 8);
      const intruder = await generateEd25519KeyPair();
      entries[3] = { ...entries[3]!, signature: await signEntryHash(await importEd25519PrivateKey(intruder.privateKey), entries[3]!.hash) };
      const res = await sync(b.bundleId, entries);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'INVALID_AUDIT_ENTRIES', requestId: expect.any(String), accepted: 3, rejected: 5, flagged: [], bundleFlags: [] });
      expect(res.body.errors).toEqual([{ seq: 4, index: 3, code: 'INVALID_SIGNATURE', message: expect.any(String) }]);
      expect(await stored(b.bundleId)).toBe(3);
    });

    it('one error per bad entry, each with its own code; an identity or scope mismatch is no error (flagged instead)', async () => {
      const b = await newBundle();
      const key = b.offlineAuditKey.privateKey;
      const entries = await signedEntries(b, 12);
      const bad = [...entries];
      bad[1] = { ...entries[1]!, action: 'tool:door.unlock' }; // Hash no longer matches.
      bad[3] = { ...entries[3]!, signature: 'ab'.repeat(64) };
      bad[5] = await resign({ ...entries[5]!, grantId: 'grnt_someone_else' }, key);
      bad[7] = await resign({ ...entries[7]!, scopes: ['sensor:read', 'door:unlock'] }, key);
      bad[9] = { ...entries[9]!, seq: 'ten' as unknown as number };
      const res = await sync(b.bundleId, bad);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: any) => [e.seq, e.code])).toEqual([
        [2, 'INVALID_HASH'],
        [4, 'INVALID_SIGNATURE'],
        [7, 'BROKEN_CHAIN'], // Re-signing seq 6 changed its hash, so seq 7 no longer chains to it.
        [9, 'BROKEN_CHAIN'],
        [null, 'INVALID_ENTRY'],
        [11, 'SEQ_GAP'], // Its predecessor has no usable seq.
      ]);
      expect(res.body).toMatchObject({ accepted: 1, rejected: 11 });
      expect(await stored(b.bundleId)).toBe(1);
    });

    it('SEQ_GAP for a missing entry and BROKEN_CHAIN for a prevHash from elsewhere', async () => {
      const b = await newBundle();
      const entries = await signedEntries(b, 6);
      const gap = await sync(b.bundleId, [entries[0], entries[1], entries[3], entries[4]]);
      expect(gap.body.errors).toEqual([{ seq: 4, index: 2, code: 'SEQ_GAP', message: expect.any(String) }]);
      const forked = await resign({ ...entries[2]!, prevHash: 'f'.repeat(64) }, b.offlineAuditKey.privateKey);
      const broken = await sync(b.bundleId, [entries[0], entries[1], forked]);
      expect(broken.body.errors).toEqual([{ seq: 3, index: 2, code: 'BROKEN_CHAIN', message: expect.any(String) }]);
      expect(await stored(b.bundleId)).toBe(2); // seq 1 and 2, before the gap
      const other = await newBundle();
      const first = (await signedEntries(other, 1))[0]!;
      const badGenesis = await resign({ ...first, prevHash: '0'.repeat(64) }, other.offlineAuditKey.privateKey);
      expect((await sync(other.bundleId, [badGenesis])).body.errors[0]).toMatchObject({ seq: 1, code: 'BROKEN_CHAIN' });
      expect(await stored(other.bundleId)).toBe(0);
    });

    it.each([
      ['not an object', 'entry'],
      ['seq zero', { seq: 0 }],
      ['seq fractional', { seq: 1.5 }],
      ['timestamp a number', { timestamp: 1_700_000_000_000 }],
      ['action null', { action: null }],
      ['a NUL in action', { action: 'tool:\u0000' }],
      ['a lone surrogate in grantId', { grantId: 'grnt_\ud800' }],
      ['a scope that is a number', { scopes: ['sensor:read', 7] }],
      ['scopes not an array', { scopes: 'sensor:read' }],
      ['metadata an array', { metadata: [1] }],
      ['metadata null', { metadata: null }],
      ['hash uppercase', { hash: 'A'.repeat(64) }],
      ['prevHash short', { prevHash: 'abc' }],
      ['signature missing', { signature: undefined }],
      ['result missing', { result: undefined }],
    ])('INVALID_ENTRY for %s', async (_name, change) => {
      const b = await newBundle();
      const [entry] = await signedEntries(b, 1);
      const broken = typeof change === 'string' ? change : { ...entry, ...change };
      const res = await sync(b.bundleId, [broken]);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ index: 0, code: 'INVALID_ENTRY' })]);
      expect(await stored(b.bundleId)).toBe(0);
    });

    it('DUPLICATE_SEQ: a stored seq uploaded with a different hash is a 400 after the matching prefix, the stored one kept', async () => {
      const b = await newBundle();
      const entries = await signedEntries(b, 5);
      await sync(b.bundleId, entries);
      const rival = await resign({ ...entries[4]!, action: 'tool:rewritten' }, b.offlineAuditKey.privateKey);
      const res = await sync(b.bundleId, [entries[3], rival]);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'INVALID_AUDIT_ENTRIES', accepted: 1, rejected: 1, bundleFlags: ['TRAIL_TRUNCATED'] });
      expect(res.body.errors).toEqual([{ seq: 5, index: 1, code: 'DUPLICATE_SEQ', message: expect.any(String) }]);
      expect((await audit(b.bundleId)).entries[4].hash).toBe(entries[4]!.hash);
    });

    it('409 AUDIT_CHAIN_CONFLICT when the first new entry does not extend the stored head (gap or fork)', async () => {
      const b = await newBundle();
      const entries = await signedEntries(b, 10);
      await sync(b.bundleId, entries.slice(0, 5));
      const gap = await sync(b.bundleId, entries.slice(7));
      expect(gap.status).toBe(409);
      expect(gap.body).toMatchObject({ code: 'AUDIT_CHAIN_CONFLICT', headSeq: 5, headHash: entries[4]!.hash, expectedSeq: 6 });
      // A fork right at the head: seq 6 chains to another seq 5.
      const fork = await signedEntries(b, 3, { seq: 5, hash: entries[3]!.hash }, () => ({ action: 'tool:other-branch' }));
      const forked = await sync(b.bundleId, fork);
      expect(forked.status).toBe(409);
      expect(forked.body.code).toBe('AUDIT_CHAIN_CONFLICT');
      expect(await stored(b.bundleId)).toBe(5);
      // The device's trail contradicts the stored one: the bundle is flagged, though nothing was stored.
      expect((await api.get(`/v1/consent-bundles/${b.bundleId}`)).body.flags).toEqual(['TRAIL_TRUNCATED']);
    });

    it('413 TOO_MANY_ENTRIES above 1000 entries, before any check', async () => {
      const b = await newBundle();
      const res = await sync(b.bundleId, Array.from({ length: 1001 }, () => ({})));
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('TOO_MANY_ENTRIES');
    });

    it('413 PAYLOAD_TOO_LARGE above the sync body limit', async () => {
      const small = new Api(await createAuthority({ db: t.db, rateLimits: false, maxSyncBodyBytes: 4096 }), api.apiKey);
      const b = await newBundle();
      const res = await small.post(SYNC, { bundleId: b.bundleId, entries: await signedEntries(b, 20) });
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await stored(b.bundleId)).toBe(0);
    });

    it.each([
      ['malformed JSON', '{"bundleId": ', 'INVALID_JSON'],
      ['an empty body', '', 'INVALID_JSON'],
      ['a JSON string', '"entries"', 'BAD_REQUEST'],
      ['no bundleId', '{"entries": []}', 'BAD_REQUEST'],
      ['bundleId a number', '{"bundleId": 5, "entries": []}', 'BAD_REQUEST'],
      ['entries an object', '{"bundleId": "cb_x", "entries": {}}', 'BAD_REQUEST'],
      ['deviceId a number', '{"bundleId": "cb_x", "deviceId": 1, "entries": []}', 'BAD_REQUEST'],
    ])('400 for %s', async (_name, raw, code) => {
      const res = await api.call('POST', SYNC, undefined, { raw, headers: { 'Content-Type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe(code);
    });

    it('404 BUNDLE_NOT_FOUND for an unknown bundle and for another tenant\'s bundle', async () => {
      const b = await newBundle();
      const entries = await signedEntries(b, 3);
      const stranger = await t.developer();
      for (const res of [await sync('cb_unknown', entries), await sync(b.bundleId, entries, stranger)]) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('BUNDLE_NOT_FOUND');
      }
      expect(await stored(b.bundleId)).toBe(0);
    });

    it('409 DEVICE_MISMATCH when a bundle issued to one device is synced as another', async () => {
      const b = await newBundle({ deviceId: 'pi-kitchen' });
      const entries = await signedEntries(b, 2);
      const res = await api.post(SYNC, { bundleId: b.bundleId, deviceId: 'pi-garage', entries });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('DEVICE_MISMATCH');
      expect((await api.post(SYNC, { bundleId: b.bundleId, deviceId: 'pi-kitchen', entries })).body.accepted).toBe(2);
    });

    it('deeply nested metadata is a 4xx, not a crash', async () => {
      const b = await newBundle();
      const [entry] = await signedEntries(b, 1);
      const deep = '{"a":'.repeat(200_000) + '1' + '}'.repeat(200_000);
      const raw = `{"bundleId":"${b.bundleId}","entries":[${JSON.stringify(entry).replace(/}$/, `,"metadata":${deep}}`)}]}`;
      const res = await api.call('POST', SYNC, undefined, { raw, headers: { 'Content-Type': 'application/json' } });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await stored(b.bundleId)).toBe(0);
    });

    it('after every refused request above, no table gained a row', async () => {
      const before = await rowCounts(t.db);
      const b = (await api.get('/v1/consent-bundles?limit=1')).body.bundles[0];
      const attempts = [
        api.call('POST', SYNC, undefined, { raw: 'nope' }),
        sync(b.bundleId, [{ seq: 1 }]),
        sync(b.bundleId, Array.from({ length: 1001 }, () => ({}))),
        api.post('/v1/agents', { name: 'x', scopes: 'no' }),
        api.post('/v1/consent-bundles', { agentId, userId: 'u', scopes: ['nope'] }),
        api.post('/v1/consent-bundles', { agentId, userId: 'u', scopes: ['sensor:read'], offlineTTL: '999h' }),
        api.post(`/v1/consent-bundles/${b.bundleId}/revoke`, { revokeGrant: 1 }),
        api.as('oc_wrong_wrong_wrong_wrong_wrong').post('/v1/agents', { name: 'x', scopes: ['s'] }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
      expect(await rowCounts(t.db)).toEqual(before);
    });
  });

  it('upstream auth_failure entries (empty agentDID and grantId, the scopes the tool required) are accepted', async () => {
    const b = await newBundle();
    const entries = await signedEntries(b, 3, GENESIS, (seq) =>
      seq === 2 ? { agentDID: '', grantId: '', scopes: ['door:unlock'], result: 'auth_failure', metadata: { error: 'Token expired' } } : {},
    );
    expect((await sync(b.bundleId, entries)).body.accepted).toBe(3);
    expect((await audit(b.bundleId)).entries.map((e: any) => e.flags)).toEqual([[], [], []]);
    // The same empty identity with another result is a mismatch: stored (it is signed evidence) and flagged.
    const other = await newBundle();
    const wrong = await signedEntries(other, 1, GENESIS, () => ({ agentDID: '', grantId: '', result: 'success' }));
    const res = await sync(other.bundleId, wrong);
    expect(res.body).toMatchObject({ accepted: 1, errors: [], flagged: [{ seq: 1, flags: ['identityMismatch'] }] });
  });

  it('20 parallel overlapping uploads for one bundle: no double insert, no fork', async () => {
    const b = await newBundle();
    const entries = await signedEntries(b, 220);
    // Round 1: every upload starts at seq 1 and they overlap by up to 190 entries.
    const prefixes = await Promise.all(Array.from({ length: 20 }, (_, i) => sync(b.bundleId, entries.slice(0, 10 * (i + 1)))));
    for (const [i, res] of prefixes.entries()) expect(res.body, `upload ${i}`).toMatchObject({ accepted: 10 * (i + 1), rejected: 0 });
    // Round 2: windows of 11 past the head, two uploads of each; one that arrives before its turn gets 409 and retries.
    const windows = Array.from({ length: 20 }, (_, i) => entries.slice(200 + Math.floor(i / 2), 211 + Math.floor(i / 2)));
    await Promise.all(
      windows.map(async (batch) => {
        for (let attempt = 0; attempt < 100; attempt++) {
          const res = await sync(b.bundleId, batch);
          if (res.status === 200) return expect(res.body).toMatchObject({ accepted: batch.length, rejected: 0 });
          expect(res.body.code).toBe('AUDIT_CHAIN_CONFLICT');
          await new Promise((r) => setTimeout(r, 5));
        }
        throw new Error('upload never got its turn');
      }),
    );
    expect(await stored(b.bundleId)).toBe(220);
    const rows = await t.db.query<{ n: number; distinct_seq: number }>('SELECT count(*) AS n, count(DISTINCT seq) AS distinct_seq FROM audit_entries WHERE bundle_id = $1', [b.bundleId]);
    expect(Number(rows[0]!.n)).toBe(Number(rows[0]!.distinct_seq));
    const all = [...(await audit(b.bundleId)).entries];
    expect(all).toHaveLength(220);
    expect(await verifyChain(all, { publicKey: b.offlineAuditKey.publicKey })).toEqual({ valid: true, count: 220 });
  });

  it('a revoked bundle still takes its audit trail and reports revoked with revokedAt', async () => {
    const b = await newBundle();
    const entries = await signedEntries(b, 6);
    await sync(b.bundleId, entries.slice(0, 3));
    const revoked = (await api.post(`/v1/consent-bundles/${b.bundleId}/revoke`, { revokeGrant: true })).body;
    const res = await sync(b.bundleId, entries.slice(3));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 3, revocationStatus: 'revoked', revokedAt: revoked.revokedAt });
    expect(await stored(b.bundleId)).toBe(6);
  });

  it('after a legacy refresh the chain continues under the rotated key; entries the old key signed before the switch still sync, none after', async () => {
    const b = await newBundle();
    const early = await signedEntries(b, 6);
    await sync(b.bundleId, early.slice(0, 3));
    const refreshed = (await api.post(`/v1/consent-bundles/${b.bundleId}/refresh`)).body;
    expect((await sync(b.bundleId, early.slice(3))).body.accepted).toBe(3); // Written offline before the refresh.
    const late = await signedEntries(refreshed, 4, headOf(early));
    expect((await sync(b.bundleId, late)).body.accepted).toBe(4);
    // A copy of the old key cannot add to the trail once the new key has signed (it could before: issue 13).
    const forgedWithOld = await signedEntries(b, 1, headOf(late));
    const refused = await sync(b.bundleId, forgedWithOld);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ seq: 11, code: 'INVALID_SIGNATURE' })]);
    const all = (await audit(b.bundleId)).entries;
    expect(await verifyChain(all)).toEqual({ valid: true, count: 10 });
    expect(await verifyChain(all.slice(0, 6), { publicKey: b.offlineAuditKey.publicKey })).toMatchObject({ valid: true });
    expect(await verifyChain(all.slice(6, 10), { publicKey: refreshed.offlineAuditKey.publicKey, previous: { seq: 6, hash: all[5].hash } })).toMatchObject({ valid: true });
    expect(await verifyChain(all, { publicKey: refreshed.offlineAuditKey.publicKey })).toMatchObject({ valid: false, brokenAt: 0, reason: 'signature' });
    const keyVersions = await t.db.query<{ audit_key_version: number }>('SELECT audit_key_version FROM audit_entries WHERE bundle_id = $1 ORDER BY seq', [b.bundleId]);
    expect(keyVersions.map((r) => Number(r.audit_key_version))).toEqual([1, 1, 1, 1, 1, 1, 2, 2, 2, 2]);
  });

  it('bad entries cost at most two signature checks each, however many unused keys legacy refreshes left (old code: one per key)', async () => {
    const b = await newBundle();
    let last = b;
    for (let i = 0; i < 6; i++) last = (await api.post(`/v1/consent-bundles/${b.bundleId}/refresh`)).body; // 6 unused keys
    const good = await signedEntries(last, 1);
    // Hashes right, identity this bundle's, signatures by another bundle's key.
    const wrong = await signedEntries(await newBundle(), 100, GENESIS, () => ({ agentDID: good[0]!.agentDID, grantId: good[0]!.grantId }));
    const verify = vi.spyOn(crypto.subtle, 'verify');
    try {
      const res = await sync(b.bundleId, wrong);
      expect(res.status).toBe(400);
      expect(res.body.errors.filter((e: { code: string }) => e.code === 'INVALID_SIGNATURE')).toHaveLength(100);
      const ed25519 = verify.mock.calls.filter(([alg]) => (typeof alg === 'string' ? alg : alg.name) === 'Ed25519').length;
      expect(ed25519).toBeLessThanOrEqual(2 * 100 + 6);
    } finally {
      verify.mockRestore();
    }
    // Entries the newest key signed still find their key.
    expect((await sync(b.bundleId, good)).body.accepted).toBe(1);
  });

  it('with refreshOnSync, a sync in the last 20 % of the offline window answers with a refreshed newBundle', async () => {
    const refreshing = new Api(await createAuthority({ db: t.db, rateLimits: false, refreshOnSync: true, now: () => Date.now() + clock.offset }), api.apiKey);
    const b = await newBundle({ offlineTTL: '10h' });
    const entries = await signedEntries(b, 4);
    expect((await refreshing.post(SYNC, { bundleId: b.bundleId, entries: entries.slice(0, 2) })).body.newBundle).toBeNull();
    clock.offset = 9 * 3_600_000;
    try {
      const res = await refreshing.post(SYNC, { bundleId: b.bundleId, entries: entries.slice(2) });
      expect(res.body.accepted).toBe(2);
      const nb = res.body.newBundle;
      expect(nb).toMatchObject({ bundleId: b.bundleId, offlineAuditKey: { algorithm: 'Ed25519' } });
      expect(nb.offlineAuditKey.publicKey).not.toBe(b.offlineAuditKey.publicKey);
      expect(Date.parse(nb.offlineExpiresAt)).toBeGreaterThan(Date.parse(b.offlineExpiresAt));
    } finally {
      clock.offset = 0;
    }
  });

  it('429 RATE_LIMITED with Retry-After past the sync limit of one API key', async () => {
    const limited = new Api(await createAuthority({ db: t.db, rateLimits: { sync: { limit: 3, windowMs: 60_000 } } }), api.apiKey);
    const b = await newBundle();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await limited.post(SYNC, { bundleId: b.bundleId, entries: [] })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

it('GENESIS_HASH is the 16-zero form the server expects', () => {
  expect(GENESIS_HASH).toBe('0000000000000000');
});
