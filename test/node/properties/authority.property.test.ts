// Property-based attack on POST /v1/audit/offline-sync of the real authority (Hono handler over
// PGlite, and a smaller run on PostgreSQL): random bodies, wrong types, 1 MB strings, deep
// JSON, unknown fields, forged signatures, other tenants' bundles and entries. Every answer is
// a 200 or a 4xx with a code, never a 500; a refusal writes nothing beyond the accepted prefix
// (entries after the stored head, as many as it says it accepted, and the attacked bundle's
// head and flags); a 200 only appends entries after the stored head, and the stored chain still verifies.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, verifyChain, type SignedAuditEntry } from '../../../src/index.js';
import type { Db } from '../../../src/authority/index.js';
import { generateEd25519KeyPair, importEd25519PrivateKey } from '../../../src/crypto/ed25519.js';
import { sealChain } from '../../helpers/chain.js';
import { applyChainOps, chainOpArb, type ChainOp } from '../../helpers/chain-mutations.js';
import { checkProperty } from '../../helpers/properties.js';
import { signedEntries } from '../authority/entries.js';
import { startTestAuthority, type Api, type EngineName } from '../authority/harness.js';

const MB_STRING = 'x'.repeat(1 << 20);
const DEEP_TEXT = `{"bundleId":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;

type Forge = 'none' | 'foreignKey' | 'otherTenantBundleId' | 'otherTenantEntries' | 'otherTenantApiKey' | 'genesisRestart' | 'skipAhead';
type Spec =
  | { kind: 'raw'; text: string }
  | { kind: 'json'; body: unknown }
  | { kind: 'field'; field: string; value: unknown }
  | { kind: 'entries'; count: number; ops: ChainOp[]; forge: Forge; extra: Record<string, unknown>; deviceId: unknown };

const hostile = fc.oneof(
  fc.constantFrom(null, 0, -1, 1.5, 1e308, true, '', 'a\u0000b', '\ud800', [], [null], {}, MB_STRING, [MB_STRING], { nested: { deeper: [1] } }),
  fc.jsonValue({ maxDepth: 3 }),
);

const specArb: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', '{', 'null', '[]', '"x"', DEEP_TEXT, `[${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}]`)).map((text) => ({ kind: 'raw' as const, text })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((body) => ({ kind: 'json' as const, body })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('field' as const), field: fc.constantFrom('bundleId', 'deviceId', 'entries', 'unknownField', '__proto__'), value: hostile }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('entries' as const),
      count: fc.integer({ min: 1, max: 4 }),
      ops: fc.array(chainOpArb(4), { maxLength: 2 }),
      forge: fc.constantFrom<Forge>('none', 'none', 'foreignKey', 'otherTenantBundleId', 'otherTenantEntries', 'otherTenantApiKey', 'genesisRestart', 'skipAhead'),
      extra: fc.dictionary(fc.string({ maxLength: 5 }), hostile, { maxKeys: 2 }),
      deviceId: fc.option(fc.oneof(fc.constant('device-a'), hostile), { nil: undefined }),
    }),
  },
);

/** Every row of every table the authority writes, in a stable order. */
async function snapshot(db: Db): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of ['developers', 'api_keys', 'agents', 'signing_keys', 'bundles', 'bundle_audit_keys', 'audit_entries']) {
    out[t] = await db.query(`SELECT * FROM ${t} ORDER BY 1, 2`);
  }
  return out;
}

function runSyncProperty(engine: EngineName, runs: number) {
  // Two tenants, each with a bundle and a synced chain of 3: `mine` is attacked, `theirs` must stay untouched.
  let t: Awaited<ReturnType<typeof startTestAuthority>>, mine: Api, theirs: Api, bundle: any, other: any;
  const unexpected: unknown[] = [];

  beforeAll(async () => {
    t = await startTestAuthority(engine, { onError: (e) => unexpected.push(e) });
    [mine, theirs] = [await t.developer(), await t.developer()];
    const issue = async (api: Api) => {
      const agentId = (await api.post('/v1/agents', { name: 'pi', scopes: ['sensor:read', 'thermostat:write'] })).body.agentId;
      return (await api.post('/v1/consent-bundles', { agentId, userId: 'u', scopes: ['sensor:read', 'thermostat:write'], deviceId: 'device-a' })).body;
    };
    [bundle, other] = [await issue(mine), await issue(theirs)];
    expect((await mine.post('/v1/audit/offline-sync', { bundleId: bundle.bundleId, entries: await signedEntries(bundle, 3) })).status).toBe(200);
    expect((await theirs.post('/v1/audit/offline-sync', { bundleId: other.bundleId, entries: await signedEntries(other, 3) })).status).toBe(200);
  });
  afterAll(() => t?.dispose());

  async function storedChain(api: Api, id: string): Promise<SignedAuditEntry[]> {
    return (await api.get(`/v1/consent-bundles/${id}/audit`)).body.entries;
  }

  /** Builds the request the spec describes against the current stored head. */
  async function request(spec: Spec): Promise<{ api: Api; raw: string }> {
    if (spec.kind === 'raw') return { api: mine, raw: spec.text };
    if (spec.kind === 'json') return { api: mine, raw: JSON.stringify(spec.body) };
    const chain = await storedChain(mine, bundle.bundleId);
    const last = chain.at(-1)!;
    if (spec.kind === 'field') {
      const valid: Record<string, unknown> = { bundleId: bundle.bundleId, entries: await signedEntries(bundle, 1, { seq: last.seq, hash: last.hash }) };
      // __proto__ must become an own key of the JSON text, not the object's prototype.
      const text = JSON.stringify({ ...valid, [spec.field === '__proto__' ? '__proto_x' : spec.field]: spec.value });
      return { api: mine, raw: spec.field === '__proto__' ? text.replace('"__proto_x"', '"__proto__"') : text };
    }
    const start =
      spec.forge === 'genesisRestart' ? { seq: 0, hash: GENESIS_HASH }
      : spec.forge === 'skipAhead' ? { seq: last.seq + 1, hash: 'ab'.repeat(32) } // a gap before the stored head: a replayed or forked chain
      : { seq: last.seq, hash: last.hash };
    const owner = spec.forge === 'otherTenantEntries' ? other : bundle;
    let entries: unknown[] = await signedEntries(owner, spec.count, start);
    if (spec.forge === 'foreignKey') {
      const foreign = await importEd25519PrivateKey((await generateEd25519KeyPair()).privateKey);
      const fresh = entries as SignedAuditEntry[];
      entries = await sealChain(foreign, fresh.length, start, (_seq, _prev, i) => {
        const { hash: _h, signature: _s, ...base } = fresh[i]!;
        return base;
      });
    }
    entries = applyChainOps(entries as SignedAuditEntry[], spec.ops).map((e) => (e && typeof e === 'object' ? { ...e, ...spec.extra } : e));
    const bundleId = spec.forge === 'otherTenantBundleId' ? other.bundleId : bundle.bundleId;
    const body = { bundleId, entries, ...(spec.deviceId === undefined ? {} : { deviceId: spec.deviceId }) };
    return { api: spec.forge === 'otherTenantApiKey' ? theirs : mine, raw: JSON.stringify(body) };
  }

  it(`random sync bodies on ${engine}: 200 or 4xx with a code, never 500, a refusal writes nothing beyond the accepted prefix`, async () => {
    const statuses: Record<string, number> = {};
    await checkProperty(
      `authority (${engine}): hostile sync bodies`,
      fc.asyncProperty(specArb, async (spec) => {
        const { api, raw } = await request(spec);
        const before = await snapshot(t.db);
        const res = await api.call('POST', '/v1/audit/offline-sync', undefined, { raw, headers: { 'Content-Type': 'application/json' } });
        const key = `${res.status} ${res.body?.code ?? ''}`.trim();
        statuses[key] = (statuses[key] ?? 0) + 1;
        expect(res.status, `${spec.kind} → ${JSON.stringify(res.body)?.slice(0, 300)}`).not.toBe(500);
        expect(unexpected).toEqual([]);
        const after = await snapshot(t.db);
        // Every answer keeps every row it found and at most appends this bundle's entries after its head.
        const rowKey = (r: Record<string, unknown>) => `${r.bundle_id}#${r.seq}`;
        const found = new Map((after.audit_entries as Record<string, unknown>[]).map((r) => [rowKey(r), r]));
        for (const r of before.audit_entries as Record<string, unknown>[]) expect(found.get(rowKey(r))).toEqual(r);
        const known = new Set((before.audit_entries as Record<string, unknown>[]).map(rowKey));
        const added = (after.audit_entries as Record<string, unknown>[]).filter((r) => !known.has(rowKey(r)));
        const oldHead = Math.max(0, ...(before.audit_entries as Record<string, unknown>[]).filter((r) => r.bundle_id === bundle.bundleId).map((r) => Number(r.seq)));
        expect(added.every((r) => r.bundle_id === bundle.bundleId && Number(r.seq) > oldHead)).toBe(true);
        // Bundles change only in the attacked bundle's head and what the authority learnt about its trail.
        const tracked = ({ head_seq: _s, head_hash: _h, last_synced_at: _l, flags: _f, reported_head_seq: _r, reported_head_hash: _rh, ...rest }: Record<string, unknown>) => rest;
        expect((after.bundles as Record<string, unknown>[]).map(tracked)).toEqual((before.bundles as Record<string, unknown>[]).map(tracked));
        for (const [i, r] of (before.bundles as Record<string, unknown>[]).entries()) if (r.id !== bundle.bundleId) expect(after.bundles![i]).toEqual(r);
        for (const table of ['developers', 'api_keys', 'agents', 'signing_keys', 'bundle_audit_keys']) expect(after[table]).toEqual(before[table]);
        if (res.status !== 200) {
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(res.body).toMatchObject({ code: expect.any(String), requestId: expect.any(String) });
          // A refusal writes nothing beyond the prefix it says it accepted (only a per-entry refusal has one).
          if (res.body.code === 'INVALID_AUDIT_ENTRIES') expect(res.body.accepted).toBeGreaterThanOrEqual(added.length);
          else expect(added).toEqual([]);
          return;
        }
        expect(res.body.accepted).toBeGreaterThanOrEqual(added.length);
      }),
      runs,
    );
    console.log(`[property] authority (${engine}) statuses:`, JSON.stringify(statuses));
    // The generator must reach acceptance and the main refusals, or the property proves little.
    const rare = runs >= 300 ? ['400 INVALID_JSON', '404 BUNDLE_NOT_FOUND', '409 AUDIT_CHAIN_CONFLICT'] : [];
    expect(Object.keys(statuses)).toEqual(expect.arrayContaining(['200', '400 BAD_REQUEST', '400 INVALID_AUDIT_ENTRIES', ...rare]));
    // After every attack both stored chains still verify with their bundle's audit key.
    for (const [api, b] of [[mine, bundle], [theirs, other]] as const) {
      const chain = await storedChain(api, b.bundleId);
      expect(await verifyChain(chain, { publicKey: b.offlineAuditKey.publicKey })).toEqual({ valid: true, count: chain.length });
    }
  });
}

describe('authority sync under attack (fast-check), PGlite', () => runSyncProperty('pglite', 300));
describe('authority sync under attack (fast-check), PostgreSQL', () => runSyncProperty('postgres', 150));
