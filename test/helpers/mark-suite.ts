// The sealed high-water mark (issue 14 item 1), run on every store that keeps one: a cut
// tail, a deleted revocation latch, a missing mark, a damaged slot, a rekey.
import { describe, expect, it, vi } from 'vitest';
import {
  AuditLogTruncatedError,
  REVOCATION_META,
  createAgentGuard,
  createOfflineAuditLog,
  generateEd25519KeyPair,
  readGrantIdentity,
  verifyChain,
  type AuditRecovery,
  type AuditStore,
  type OfflineAuditLogOptions,
  type SignedAuditEntry,
} from '../../src/index.js';
import { testBundle } from './bundle.js';
import { sampleEntry } from './chain.js';
import { NOW } from './tokens.js';

/** How a suite reaches into one backend's durable state, as an attacker with the device's files would. */
export interface MarkHarness {
  makeStore(): AuditStore | Promise<AuditStore>;
  /** Keeps only the first `keep` entries (and a head to match); the store is closed. Returns the store to open next. */
  cutTail(store: AuditStore, keep: number): Promise<AuditStore>;
  /** Deletes one meta value behind the log's back (the `.meta` file, the record). */
  dropMeta(store: AuditStore, name: string): Promise<AuditStore>;
  /** Overwrites a mark slot with garbage, as a write cut short would. */
  damageSlot(store: AuditStore, slot: 0 | 1): Promise<AuditStore>;
  /** Deletes the mark altogether (or it never existed: a log of an earlier release). */
  dropMark(store: AuditStore): Promise<AuditStore>;
}

const HOUR = 3_600_000;

/** The counter in each slot (null: empty or unreadable), read through the store contract. */
async function slotCounters(store: AuditStore): Promise<(number | null)[]> {
  await store.open();
  const slots = await store.readMark!();
  await store.close();
  return slots.map((s) => {
    try {
      return (JSON.parse(JSON.parse(s!).body) as { counter: number }).counter;
    } catch {
      return null;
    }
  });
}

export function describeMark(name: string, h: MarkHarness): void {
  describe(`${name}: sealed high-water mark`, () => {
    async function setup() {
      const bundle = { ...(await testBundle()), hwmRequired: true };
      let now = NOW;
      const clock = { get: () => now, set: (t: number) => (now = t) };
      const open = (store: AuditStore, extra: Partial<OfflineAuditLogOptions> = {}) => createOfflineAuditLog({ bundle, store, now: clock.get, ...extra });
      return { bundle, clock, open, identity: readGrantIdentity(bundle.grantToken) };
    }

    it('(a) a cut unsynced tail is AUDIT_LOG_TRUNCATED naming both heads; the guard and verify() refuse; accepting it appends a signed entry and keeps the clock floor', async () => {
      const { bundle, clock, open, identity } = await setup();
      let store = await h.makeStore();
      const log = open(store);
      const written: SignedAuditEntry[] = [];
      for (let i = 0; i < 3; i++) written.push(await log.append(sampleEntry(i)));
      await log.markSynced(3);
      clock.set(NOW + 2 * HOUR); // past the offline deadline: the last two entries hold the floor there
      for (let i = 3; i < 5; i++) written.push(await log.append(sampleEntry(i)));
      await log.close();

      store = await h.cutTail(store, 3);
      clock.set(NOW); // the device clock rolled back too
      const cut = open(store);
      const error = await cut.head().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuditLogTruncatedError);
      expect(error).toMatchObject({
        code: 'AUDIT_LOG_TRUNCATED',
        markHead: { seq: 5, hash: written[4]!.hash, timestamp: written[4]!.timestamp },
        logHead: { seq: 3, hash: written[2]!.hash, timestamp: written[2]!.timestamp },
      });
      await expect(cut.verify()).rejects.toMatchObject({ code: 'AUDIT_LOG_TRUNCATED' });
      const tool = vi.fn(async () => 'ran');
      const guard = createAgentGuard({ bundle, auditLog: cut, clock: clock.get });
      await expect(guard.run('sensor.read', ['sensor:read'], tool)).rejects.toMatchObject({ code: 'AUDIT_LOG_TRUNCATED' });
      expect(tool).not.toHaveBeenCalled();
      await cut.close();

      const recoveries: AuditRecovery[] = [];
      const accepted = open(store, { acceptTruncation: identity, onRecover: (r) => recoveries.push(r) });
      const entries = await accepted.entries();
      expect(entries).toHaveLength(4);
      expect(entries[3]).toMatchObject({
        seq: 4,
        prevHash: written[2]!.hash,
        action: 'audit.truncation_accepted',
        result: 'success',
        agentDID: identity.agentDID,
        grantId: identity.grantId,
        metadata: { markHead: { seq: 5, hash: written[4]!.hash }, logHead: { seq: 3, hash: written[2]!.hash } },
      });
      expect(Date.parse(entries[3]!.timestamp)).toBeGreaterThanOrEqual(NOW + 2 * HOUR); // the floor survived the cut
      expect(recoveries.map((r) => r.kind)).toContain('truncation-accepted');
      expect(await accepted.verify()).toEqual({ valid: true, count: 4 });
      expect(await verifyChain(entries, { publicKey: bundle.offlineAuditKey.publicKey })).toEqual({ valid: true, count: 4 });
      await accepted.close();

      // Reopened plainly it is a log again, and the guard's floor is still past the deadline.
      const again = open(store);
      const later = createAgentGuard({ bundle, auditLog: again, clock: clock.get });
      await expect(later.run('sensor.read', ['sensor:read'], tool)).rejects.toMatchObject({ code: 'OFFLINE_EXPIRED' });
      expect(tool).not.toHaveBeenCalled();
      await again.close();
    });

    it('(b) the revocation latch holds after its meta record is deleted: the guard still refuses GRANT_REVOKED', async () => {
      const { bundle, clock, open } = await setup();
      let store = await h.makeStore();
      const log = open(store);
      await log.append(sampleEntry(0));
      const record = { bundleId: bundle.bundleId, revokedAt: '2026-01-01T00:00:00.000Z', reportedAt: new Date(NOW).toISOString() };
      await log.setMeta(REVOCATION_META, record); // what a sync does on a revoked answer
      await log.close();

      store = await h.dropMeta(store, REVOCATION_META);
      const reopened = open(store);
      expect(await reopened.getMeta(REVOCATION_META)).toEqual(record);
      const tool = vi.fn(async () => 'ran');
      const guard = createAgentGuard({ bundle, auditLog: reopened, clock: clock.get });
      await expect(guard.run('sensor.read', ['sensor:read'], tool)).rejects.toMatchObject({ code: 'GRANT_REVOKED' });
      expect(tool).not.toHaveBeenCalled();
      await reopened.close();
    });

    it('(c) a log without a mark: AUDIT_MARK_MISSING when required, else a mark is adopted on first open (reported)', async () => {
      const { open } = await setup();
      let store = await h.makeStore();
      const old = open(store, { mark: false }); // as an earlier release or @grantex/gemma wrote it
      await old.append(sampleEntry(0));
      await old.append(sampleEntry(1));
      await old.close();
      store = await h.dropMark(store);

      const required = open(store); // the bundle says hwmRequired
      await expect(required.head()).rejects.toMatchObject({ code: 'AUDIT_MARK_MISSING' });
      await required.close();
      const recoveries: AuditRecovery[] = [];
      const adopting = open(store, { requireMark: false, onRecover: (r) => recoveries.push(r) });
      expect(await adopting.head()).toMatchObject({ seq: 2 });
      expect(recoveries.map((r) => r.kind)).toEqual(['mark-adopted']);
      await adopting.close();
      const after = open(store); // required again: the adopted mark is there
      expect(await after.head()).toMatchObject({ seq: 2 });
      await after.close();

      // A brand-new log needs no adoption: its first open writes the mark.
      const fresh: AuditRecovery[] = [];
      const empty = open(await h.makeStore(), { onRecover: (r) => fresh.push(r) });
      expect(await empty.head()).toBeNull();
      await empty.append(sampleEntry(0));
      expect(fresh).toEqual([]);
      await empty.close();
    });

    it('(d) a damaged slot falls back to the other, which still catches a cut; both damaged is a missing mark', async () => {
      const { open } = await setup();
      let store = await h.makeStore();
      const log = open(store);
      for (let i = 0; i < 5; i++) await log.append(sampleEntry(i)); // one commit each: the mark alternates slots
      await log.close();
      const counters = await slotCounters(store);
      expect(counters).toHaveLength(2);
      expect(Math.abs(counters[0]! - counters[1]!)).toBe(1); // the two latest marks, one per slot
      const newest = (counters[0]! > counters[1]! ? 0 : 1) as 0 | 1;

      store = await h.damageSlot(store, newest);
      const recoveries: AuditRecovery[] = [];
      const reopened = open(store, { onRecover: (r) => recoveries.push(r) });
      expect(await reopened.head()).toMatchObject({ seq: 5 });
      expect(recoveries.map((r) => r.kind)).toEqual(['mark-slot-damaged']);
      await reopened.append(sampleEntry(5)); // seq 6 rewrites the damaged slot; the other still covers seq 4
      await reopened.close();
      expect(await slotCounters(store)).not.toContain(null);

      // The newest slot (seq 6) torn, and the log cut back to 3: the older slot (seq 4) still sees it.
      const now = await slotCounters(store);
      store = await h.damageSlot(store, (now[0]! > now[1]! ? 0 : 1) as 0 | 1);
      store = await h.cutTail(store, 3);
      const cut = open(store);
      await expect(cut.head()).rejects.toMatchObject({ code: 'AUDIT_LOG_TRUNCATED', markHead: { seq: 4 }, logHead: { seq: 3 } });
      await cut.close();
      store = await h.damageSlot(await h.damageSlot(store, 0), 1);
      const none = open(store);
      await expect(none.head()).rejects.toMatchObject({ code: 'AUDIT_MARK_MISSING' });
      await none.close();
    });

    it('rekey rewrites the mark with the new key; a mark still under the previous key (crash before the rewrite) is accepted', async () => {
      const { open } = await setup();
      const store = await h.makeStore();
      const next = await generateEd25519KeyPair();
      const log = open(store);
      await log.append(sampleEntry(0));
      await log.rekey(async () => next);
      await log.append(sampleEntry(1));
      await log.close();
      const recoveries: AuditRecovery[] = [];
      const reopened = open(store, { signingKey: next, onRecover: (r) => recoveries.push(r) });
      expect(await reopened.head()).toMatchObject({ seq: 2 });
      expect(recoveries).toEqual([]);
      // Rekey once more without the rewrite (mark: false): the mark stays under the previous span's key.
      await reopened.close();
      const third = await generateEd25519KeyPair();
      const noMark = open(store, { signingKey: next, mark: false });
      await noMark.rekey(async () => third);
      await noMark.close();
      const after = open(store, { signingKey: third, onRecover: (r) => recoveries.push(r) });
      expect(await after.head()).toMatchObject({ seq: 2 });
      expect(recoveries).toEqual([]);
      await after.close();
    });
  });
}
