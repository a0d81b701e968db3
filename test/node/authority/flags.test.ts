// Issue 14, item 2 and the authority half of item 1, on both engines: a validly signed entry is
// evidence, so the authority stores it and flags what is odd (time, revocation, identity,
// ambiguous fields, size) instead of refusing it; only hash, signature, chain and type failures
// and entries over the hard cap are refused, and then the prefix before them is stored; a
// device whose later trail does not hold a head it reported is flagged TRAIL_TRUNCATED.
// Each case was accepted unflagged, or refused whole, by the code before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeEntryHash, signEntryHash, syncAuditLog, verifyChain, type SignedAuditEntry } from '../../../src/index.js';
import { importEd25519PrivateKey } from '../../../src/crypto/ed25519.js';
import type { SyncableAuditLog } from '../../../src/sync/types.js';
import { GENESIS, headOf, signedEntries } from './entries.js';
import { enrollDevice } from './device-client.js';
import { Api, ENGINES, startTestAuthority } from './harness.js';

const SYNC = '/v1/audit/offline-sync';
const DAY = 86_400_000;

/** Re-signs an edited entry with the bundle's key: the edit is signed evidence, not a forgery. */
async function resign(entry: SignedAuditEntry, privateKey: CryptoKey | string): Promise<SignedAuditEntry> {
  const { hash: _h, signature: _s, ...base } = entry;
  const key = typeof privateKey === 'string' ? await importEd25519PrivateKey(privateKey) : privateKey;
  const hash = await computeEntryHash(base);
  return { ...base, hash, signature: await signEntryHash(key, hash) };
}

/** A chain of `entries` a test holds in memory, as the sync client reads a log. */
function arrayLog(entries: SignedAuditEntry[]): SyncableAuditLog & { synced: number } {
  const log = {
    synced: 0,
    async *read({ fromSeq, limit = Infinity }: { fromSeq: number; limit?: number }) {
      yield* entries.filter((e) => e.seq >= fromSeq).slice(0, limit);
    },
    head: async () => (entries.length ? { seq: entries.at(-1)!.seq, hash: entries.at(-1)!.hash } : null),
    unsyncedCount: async () => entries.length - log.synced,
    markSynced: async (seq: number) => {
      log.synced = seq;
    },
  };
  return log;
}

describe.each(ENGINES)('entry flags and partial acceptance on %s', (engine) => {
  let t: Awaited<ReturnType<typeof startTestAuthority>>;
  let api: Api;
  let agentId: string;

  beforeAll(async () => {
    t = await startTestAuthority(engine);
    api = await t.developer();
    agentId = (await api.post('/v1/agents', { name: 'pi', scopes: ['sensor:read', 'thermostat:write', 'email:send'] })).body.agentId;
  });
  afterAll(() => t?.dispose());

  const newBundle = async () => (await api.post('/v1/consent-bundles', { agentId, userId: 'user_alice', scopes: ['sensor:read', 'thermostat:write'] })).body;
  const sync = (bundleId: string, entries: unknown[]) => api.post(SYNC, { bundleId, entries });
  const audit = async (bundleId: string) => (await api.get(`/v1/consent-bundles/${bundleId}/audit`)).body.entries as (SignedAuditEntry & { flags: string[] })[];
  const stored = async (bundleId: string) => (await audit(bundleId)).length;

  describe('time is checked, never refused', () => {
    it.each([
      ['far in the future', () => '9999-12-31T00:00:00Z', ['afterDeadline']],
      ['30 days past the offline deadline', (b: any) => new Date(Date.parse(b.offlineExpiresAt) + 30 * DAY).toISOString(), ['afterDeadline']],
      ['a bare year', () => '2030', ['clockAnomaly', 'afterDeadline']],
      ['an RFC 2822 date', () => 'Tue, 01 Dec 2026 10:00:00 GMT', ['clockAnomaly']],
      ['not a date at all', () => 'yesterday', ['clockAnomaly']],
      ['earlier than the entry before it', () => '2026-11-21T00:00:00.000Z', ['clockAnomaly']],
    ])('a timestamp %s is stored and flagged', async (_name, timestamp, flags) => {
      const b = await newBundle();
      const entries = await signedEntries(b, 2, GENESIS, (seq) => (seq === 2 ? { timestamp: timestamp(b) } : {}));
      const res = await sync(b.bundleId, entries);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ accepted: 2, errors: [], flagged: [{ seq: 2, flags }] });
      const back = await audit(b.bundleId);
      expect(back.map((e) => e.flags)).toEqual([[], flags]);
      expect(back[1]!.timestamp).toBe(entries[1]!.timestamp);
      // Stored as signed: the hash still recomputes (verifyChain itself reports a non-RFC 3339 timestamp as malformed).
      for (const [i, e] of back.entries()) expect(await computeEntryHash(e)).toBe(entries[i]!.hash);
      if (!flags.includes('clockAnomaly') || timestamp(b).endsWith('Z')) {
        expect(await verifyChain(back, { publicKey: b.offlineAuditKey.publicKey })).toEqual({ valid: true, count: 2 });
      }
    });

    it('time running backwards across uploads is compared with the stored head', async () => {
      const b = await newBundle();
      const first = await signedEntries(b, 2);
      await sync(b.bundleId, first);
      const next = await signedEntries(b, 2, headOf(first), (seq) => (seq === 3 ? { timestamp: '2026-01-01T00:00:00.000Z' } : {}));
      expect((await sync(b.bundleId, next)).body.flagged).toEqual([{ seq: 3, flags: ['clockAnomaly'] }]);
    });
  });

  describe('identity, scopes and ambiguous fields are flagged (signed by the bundle key, such an entry is evidence)', () => {
    it('an agent or grant that is not the bundle\'s → identityMismatch; scopes outside it → outOfScope; "|" and "," → ambiguousFields', async () => {
      const b = await newBundle();
      const key = b.offlineAuditKey.privateKey;
      const plain = await signedEntries(b, 5);
      const edits: Partial<SignedAuditEntry>[] = [
        {},
        { grantId: 'grnt_someone_else' },
        { agentDID: 'to=boss|did:offlineconsent:agt_x' },
        { scopes: ['sensor:read', 'files:delete'] },
        { scopes: ['sensor:read,thermostat:write'] },
      ];
      const entries: SignedAuditEntry[] = [];
      for (const [i, e] of plain.entries()) entries.push(await resign({ ...e, ...edits[i], prevHash: entries[i - 1]?.hash ?? e.prevHash }, key));
      const res = await sync(b.bundleId, entries);
      expect(res.status).toBe(200);
      expect(res.body.flagged).toEqual([
        { seq: 2, flags: ['identityMismatch'] },
        { seq: 3, flags: ['ambiguousFields', 'identityMismatch'] },
        { seq: 4, flags: ['outOfScope'] },
        { seq: 5, flags: ['ambiguousFields', 'outOfScope'] },
      ]);
      expect(await stored(b.bundleId)).toBe(5);
    });
  });

  describe('size: flagged past the device rules, refused only over the hard cap, and then the prefix is stored', () => {
    it('70,000 characters of metadata at seq 2 are stored and flagged oversized; the whole batch syncs', async () => {
      const b = await newBundle();
      const entries = await signedEntries(b, 4, GENESIS, (seq) => (seq === 2 ? { metadata: { blob: 'x'.repeat(70_000) } } : {}));
      const res = await sync(b.bundleId, entries);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ accepted: 4, flagged: [{ seq: 2, flags: ['oversized'] }] });
      expect(await stored(b.bundleId)).toBe(4);
    });

    it('an entry over the 256 KiB cap at seq 2: 400 ENTRY_TOO_LARGE, seq 1 stored, the answer says accepted 1', async () => {
      const b = await newBundle();
      const entries = await signedEntries(b, 4, GENESIS, (seq) => (seq === 2 ? { metadata: { blob: 'x'.repeat(300_000) } } : {}));
      const res = await sync(b.bundleId, entries);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'INVALID_AUDIT_ENTRIES', accepted: 1, rejected: 3 });
      expect(res.body.errors).toEqual([{ seq: 2, index: 1, code: 'ENTRY_TOO_LARGE', message: expect.any(String) }]);
      expect((await audit(b.bundleId)).map((e) => e.seq)).toEqual([1]);
      // Replaying the same batch is refused at the same entry; seq 1 is not stored twice.
      expect((await sync(b.bundleId, entries)).body).toMatchObject({ accepted: 1 });
      expect(await stored(b.bundleId)).toBe(1);
    });

    it("with the library's client: the marker moves over the accepted prefix and the next sync starts at the refused entry", async () => {
      const b = await newBundle();
      const entries = await signedEntries(b, 5, GENESIS, (seq) => (seq === 3 ? { metadata: { blob: 'x'.repeat(300_000) } } : {}));
      const log = arrayLog(entries);
      const options = { endpoint: api.base, apiKey: api.apiKey!, bundleId: b.bundleId, retryDelaysMs: [], fetch: ((url: string, init: RequestInit) => t.authority.fetch(new Request(url, init))) as typeof fetch };
      const result = await syncAuditLog(log, options);
      expect(result).toMatchObject({ syncedCount: 2, accepted: 2, hasErrors: true });
      expect(result.errors).toEqual([expect.objectContaining({ seq: 3, code: 'ENTRY_TOO_LARGE', status: 400 })]);
      expect(log.synced).toBe(2);
      const again = await syncAuditLog(log, options);
      expect(again).toMatchObject({ syncedCount: 0, hasErrors: true });
      expect(log.synced).toBe(2);
    });

    it("with the library's client, a log holding a 70,000-character entry and entries after it syncs whole (it no longer wedges)", async () => {
      const b = await newBundle();
      const entries = await signedEntries(b, 6, GENESIS, (seq) => (seq === 3 ? { metadata: { blob: 'x'.repeat(70_000) } } : {}));
      const log = arrayLog(entries);
      const fetch = ((url: string, init: RequestInit) => t.authority.fetch(new Request(url, init))) as typeof globalThis.fetch;
      const result = await syncAuditLog(log, { endpoint: api.base, apiKey: api.apiKey!, bundleId: b.bundleId, batchSize: 2, retryDelaysMs: [], fetch });
      expect(result).toMatchObject({ syncedCount: 6, accepted: 6, hasErrors: false, flagged: [{ seq: 3, flags: ['oversized'] }] });
      expect(log.synced).toBe(6);
    });
  });

  describe('revocation', () => {
    it('after revocation, a tool that ran with a later timestamp → afterRevocation; a refusal written then is not', async () => {
      const b = await newBundle();
      const first = await signedEntries(b, 2);
      await sync(b.bundleId, first);
      const revokedAt = (await api.post(`/v1/consent-bundles/${b.bundleId}/revoke`)).body.revokedAt as string;
      const later = new Date(Date.parse(revokedAt) + 1000).toISOString();
      const next = await signedEntries(b, 3, headOf(first), (seq) => ({ timestamp: later, result: seq === 4 ? 'scope_violation' : seq === 5 ? 'execution_error' : 'success' }));
      const res = await sync(b.bundleId, next);
      expect(res.body).toMatchObject({ accepted: 3, revocationStatus: 'revoked' });
      expect(res.body.flagged).toEqual([{ seq: 3, flags: ['afterRevocation'] }, { seq: 5, flags: ['afterRevocation'] }]);
    });

    it('with device proofs: any seq above the head the device reported before revocation → afterRevocation, whatever its timestamp', async () => {
      const { device } = await enrollDevice(api);
      await device.append(2);
      expect((await device.sync(device.entries)).status).toBe(200); // reports head 2
      const written = await device.append(2); // seq 3, 4: written before the revocation, never reported
      await api.post(`/v1/consent-bundles/${device.bundleId}/revoke`);
      const res = await device.sync(written);
      expect(res.body.flagged).toEqual([{ seq: 3, flags: ['afterRevocation'] }, { seq: 4, flags: ['afterRevocation'] }]);
    });
  });

  describe('trail truncation (device heads)', () => {
    const bundleFlags = async (bundleId: string) => (await api.get(`/v1/consent-bundles/${bundleId}`)).body.flags;

    it('a device that reported head 5 and then uploads a chain whose seq 5 differs → TRAIL_TRUNCATED', async () => {
      const { device } = await enrollDevice(api);
      const original = await device.append(5);
      expect((await device.sync(original.slice(0, 3))).body.bundleFlags).toEqual([]); // proof head: seq 5
      device.entries = original.slice(0, 4); // the tail is cut …
      await new Promise((r) => setTimeout(r, 5));
      await device.append(1); // … and seq 5 written again, differently
      expect(device.head.hash).not.toBe(original[4]!.hash);
      const res = await device.sync(device.entries.slice(3));
      expect(res.status).toBe(200);
      expect(res.body.bundleFlags).toEqual(['TRAIL_TRUNCATED']);
      expect(await bundleFlags(device.bundleId)).toEqual(['TRAIL_TRUNCATED']);
    });

    it('a device that reported head 5 and later reports head 3 → TRAIL_TRUNCATED, and it stays', async () => {
      const { device } = await enrollDevice(api);
      const original = await device.append(5);
      expect((await device.sync(original)).body).toMatchObject({ accepted: 5, bundleFlags: [] });
      device.entries = original.slice(0, 3);
      expect((await device.sync([])).body.bundleFlags).toEqual(['TRAIL_TRUNCATED']);
      device.entries = original;
      expect((await device.sync([])).body.bundleFlags).toEqual(['TRAIL_TRUNCATED']);
      expect(await bundleFlags(device.bundleId)).toEqual(['TRAIL_TRUNCATED']);
    });

    it('an honest device over many syncs, replays included, is never flagged', async () => {
      const { device } = await enrollDevice(api);
      for (let round = 0; round < 3; round++) {
        const made = await device.append(3);
        expect((await device.sync(made.slice(0, 2))).status).toBe(200);
        expect((await device.sync(made)).body).toMatchObject({ accepted: 3, bundleFlags: [] });
      }
      expect(await bundleFlags(device.bundleId)).toEqual([]);
      expect((await audit(device.bundleId)).every((e) => e.flags.length === 0)).toBe(true);
    });
  });
});
