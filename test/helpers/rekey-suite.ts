// Key changes of an audit log (`rekey`, PROTOCOL.md §9), run on every store that keeps meta.
import { describe, expect, it } from 'vitest';
import { createOfflineAuditLog, generateEd25519KeyPair, verifyChain, verifyEntrySignature, type AuditStore, type OfflineAuditLog } from '../../src/index.js';
import { AUDIT_KEY, sampleEntry } from './chain.js';

/** The rekey cases over `makeStore()`; `reopen(store)` gives the same durable log again (after close). */
export function describeRekey(name: string, makeStore: () => AuditStore | Promise<AuditStore>, reopen: (store: AuditStore) => AuditStore | Promise<AuditStore> = (s) => s): void {
  const open = (store: AuditStore, signingKey: Parameters<typeof createOfflineAuditLog>[0]['signingKey'] = AUDIT_KEY) => createOfflineAuditLog({ signingKey, store, durability: 'none' });
  const fill = async (log: OfflineAuditLog, n: number, from = 0) => {
    for (let i = 0; i < n; i++) await log.append(sampleEntry(from + i));
  };

  describe(`${name}: rekey`, () => {
    it('appends made while run is pending wait, land after it and are signed with the new key', async () => {
      const log = open(await makeStore());
      await fill(log, 2);
      const next = await generateEd25519KeyPair();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let seenHead: unknown;
      const rekeyed = log.rekey(async (head) => {
        seenHead = head;
        await gate;
        return next;
      });
      await new Promise((r) => setTimeout(r, 5));
      const during = [log.append(sampleEntry(10)), log.append(sampleEntry(11))];
      await new Promise((r) => setTimeout(r, 20));
      expect((await log.head())!.seq).toBe(2); // nothing signed while run is pending
      release();
      await rekeyed;
      const [a, b] = await Promise.all(during);
      expect(seenHead).toMatchObject({ seq: 2 });
      expect([a!.seq, b!.seq]).toEqual([3, 4]);
      expect(await verifyEntrySignature(a!, next.publicKey)).toBe(true);
      expect(await verifyEntrySignature(a!, AUDIT_KEY.publicKey)).toBe(false);
      expect(await log.keySpans()).toEqual([
        { fromSeq: 1, toSeq: 2, publicKey: AUDIT_KEY.publicKey },
        { fromSeq: 3, toSeq: null, publicKey: next.publicKey },
      ]);
      expect(await log.verify()).toEqual({ valid: true, count: 4 });
      await log.close();
    });

    it('a run that rejects changes nothing, and its error propagates', async () => {
      const log = open(await makeStore());
      await fill(log, 3);
      const spans = await log.keySpans();
      const boom = new Error('refused');
      await expect(log.rekey(async () => Promise.reject(boom))).rejects.toBe(boom);
      expect(await log.keySpans()).toEqual(spans);
      const e = await log.append(sampleEntry(9));
      expect(await verifyEntrySignature(e, AUDIT_KEY.publicKey)).toBe(true);
      expect(await log.verify()).toEqual({ valid: true, count: 4 });
      await log.close();
    });

    it('verify() passes over 3 rekeys, and spans survive close and reopen', async () => {
      const store = await makeStore();
      let log = open(store);
      const keys = [];
      for (let round = 0; round < 3; round++) {
        await fill(log, 2, round * 10);
        const next = await generateEd25519KeyPair();
        keys.push(next);
        await log.rekey(async () => next);
      }
      await fill(log, 2, 90);
      expect(await log.verify()).toEqual({ valid: true, count: 8 });
      const spans = await log.keySpans();
      expect(spans.map((s) => [s.fromSeq, s.toSeq])).toEqual([[1, 2], [3, 4], [5, 6], [7, null]]);
      await log.close();
      log = open(await reopen(store), keys[2]!);
      expect(await log.keySpans()).toEqual(spans);
      expect(await log.verify()).toEqual({ valid: true, count: 8 });
      expect(await verifyChain(await log.entries(), { keys: spans })).toEqual({ valid: true, count: 8 });
      await log.close();
    });

    it("an entry past its span's end signed with the old key fails verify() as 'signature'", async () => {
      const store = await makeStore();
      const log = open(store);
      await fill(log, 2);
      const next = await generateEd25519KeyPair();
      await log.rekey(async () => next);
      await log.close();
      // The old key keeps signing after the span closed (a stolen copy of the old bundle).
      const stale = open(await reopen(store), AUDIT_KEY);
      await stale.append(sampleEntry(5));
      await expect(stale.verify()).rejects.toMatchObject({ code: 'HASH_CHAIN_BROKEN', brokenAt: 2, reason: 'signature' });
      await stale.close();
    });
  });
}
