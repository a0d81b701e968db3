// The contract every AuditStore keeps, run against each backend (memory, file, IndexedDB).
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditStore, SignedAuditEntry } from '../../src/index.js';
import { buildChain } from './chain.js';

export interface StoreFixture {
  store: AuditStore;
  /** Another handle on the same backing data (a restart); the old one must be closed first. */
  reopen(): AuditStore;
  cleanup(): Promise<void>;
}

async function collect(it: AsyncIterable<SignedAuditEntry>): Promise<SignedAuditEntry[]> {
  const out: SignedAuditEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

const FIELD_ORDER = ['seq', 'timestamp', 'action', 'agentDID', 'grantId', 'scopes', 'result', 'metadata', 'prevHash', 'hash', 'signature'];

export function describeAuditStoreConformance(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`AuditStore conformance: ${name}`, () => {
    let fixture: StoreFixture | null = null;
    const setup = async () => (fixture = await makeStore());
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = null;
    });

    it('opens empty: no head, no base, nothing synced, nothing repaired', async () => {
      const { store } = await setup();
      expect(await store.open()).toEqual({ head: null, base: null, syncedSeq: 0, recovered: [] });
      expect(await collect(store.read())).toEqual([]);
      await store.close();
    });

    it('appends batches and reads them back in order, field order kept', async () => {
      const { store } = await setup();
      const chain = await buildChain(30);
      await store.open();
      await store.append(chain.slice(0, 1), { durability: 'fsync' });
      await store.append(chain.slice(1, 30), { durability: 'none' });
      const read = await collect(store.read());
      expect(read).toEqual(chain);
      expect(read.map((e) => JSON.stringify(e))).toEqual(chain.map((e) => JSON.stringify(e)));
      for (const e of read) expect(Object.keys(e)).toEqual(FIELD_ORDER.filter((k) => k in e));
      await store.close();
    });

    it('reads a range by fromSeq and limit', async () => {
      const { store } = await setup();
      const chain = await buildChain(600); // several read chunks / a bisected file
      await store.open();
      for (let i = 0; i < 600; i += 100) await store.append(chain.slice(i, i + 100), { durability: 'none' });
      expect((await collect(store.read({ fromSeq: 451, limit: 3 }))).map((e) => e.seq)).toEqual([451, 452, 453]);
      expect((await collect(store.read({ fromSeq: 1, limit: 2 }))).map((e) => e.seq)).toEqual([1, 2]);
      expect((await collect(store.read({ fromSeq: 598 }))).map((e) => e.seq)).toEqual([598, 599, 600]);
      expect(await collect(store.read({ fromSeq: 601 }))).toEqual([]);
      expect(await collect(store.read({ limit: 0 }))).toEqual([]);
      const all = await collect(store.read({ fromSeq: 0 }));
      expect(all).toHaveLength(600);
      expect(all[299]).toEqual(chain[299]);
      await store.close();
    });

    it('a reader sees the entries as they stood when it started', async () => {
      const { store } = await setup();
      const chain = await buildChain(8);
      await store.open();
      await store.append(chain.slice(0, 5), { durability: 'none' });
      const seen: number[] = [];
      for await (const e of store.read()) {
        seen.push(e.seq);
        if (e.seq === 1) await store.append(chain.slice(5), { durability: 'none' });
      }
      expect(seen).toEqual([1, 2, 3, 4, 5]);
      expect(await collect(store.read({ fromSeq: 6 }))).toEqual(chain.slice(5));
      await store.close();
    });

    it('a reader is not disturbed by a rotation while it iterates', async () => {
      const { store } = await setup();
      const chain = await buildChain(400); // larger than one file read chunk
      await store.open();
      await store.append(chain, { durability: 'none' });
      const seen: number[] = [];
      for await (const e of store.read()) {
        seen.push(e.seq);
        if (e.seq === 2) await store.rotate!({ ifLargerThan: 0 }); // may also decline while a reader is active
      }
      expect(seen).toEqual(chain.map((e) => e.seq));
      await store.close();
    });

    it('keeps entries, head, synced marker and meta across a reopen', async () => {
      const f = await setup();
      const chain = await buildChain(12);
      await f.store.open();
      await f.store.append(chain, { durability: 'fsync' });
      await f.store.setSynced(7);
      await f.store.setMeta('revocation', { status: 'revoked', revokedAt: '2026-11-22T10:00:00.000Z' });
      await f.store.close();
      const again = f.reopen();
      const last = chain[11]!;
      expect(await again.open()).toEqual({ head: { seq: 12, hash: last.hash, timestamp: last.timestamp }, base: null, syncedSeq: 7, recovered: [] });
      expect(await collect(again.read())).toEqual(chain);
      expect(await again.getMeta('revocation')).toEqual({ status: 'revoked', revokedAt: '2026-11-22T10:00:00.000Z' });
      await again.close();
      f.store = again;
    });

    it('a synced marker past the head is reset to just before the live segment and reported, never clamped to the head', async () => {
      const f = await setup();
      const chain = await buildChain(8);
      await f.store.open();
      await f.store.append(chain.slice(0, 5), { durability: 'fsync' });
      await f.store.setSynced(99); // as a tampered or stale marker would say
      await f.store.close();
      let again = f.reopen();
      f.store = again;
      const state = await again.open();
      expect(state.syncedSeq).toBe(0); // entries 1..5 count as unsynced again (the re-upload is idempotent)
      expect(state.recovered.map((r) => r.kind)).toEqual(['synced-marker']);
      if (!again.rotate) return again.close();
      await again.setSynced(5);
      expect(await again.rotate({ ifLargerThan: 0 })).toBe(true);
      await again.append(chain.slice(5), { durability: 'fsync' });
      await again.setSynced(42);
      await again.close();
      again = f.reopen();
      f.store = again;
      const rotated = await again.open();
      expect(rotated.syncedSeq).toBe(5); // the rotated segment was synced; the live one (6..8) is not
      expect(rotated.recovered.map((r) => r.kind)).toEqual(['synced-marker']);
      await again.close();
    });

    it('meta: JSON values copied in and out, undefined deletes, bad names and values are TypeErrors', async () => {
      const { store } = await setup();
      await store.open();
      expect(await store.getMeta('x')).toBeUndefined();
      const value = { a: [1, 'two', null], b: { c: true } };
      await store.setMeta('x', value);
      value.a.push(4);
      const got = await store.getMeta<typeof value>('x');
      expect(got).toEqual({ a: [1, 'two', null], b: { c: true } });
      got!.b.c = false;
      expect(await store.getMeta('x')).toEqual({ a: [1, 'two', null], b: { c: true } });
      await store.setMeta('x', undefined);
      expect(await store.getMeta('x')).toBeUndefined();
      await expect(store.setMeta('bad name!', 1)).rejects.toThrow(TypeError);
      await expect(store.setMeta('fn', { f: () => 1 })).rejects.toThrow(TypeError);
      await expect(store.setMeta('big', 10n)).rejects.toThrow(TypeError);
      expect(await store.getMeta('fn')).toBeUndefined();
      await store.close();
    });

    it('rotation: only over the size, the head stays, appends continue after it, and it survives a reopen', async () => {
      const f = await setup();
      const chain = await buildChain(40);
      await f.store.open();
      expect(await f.store.rotate!({ ifLargerThan: 0 })).toBe(false); // nothing to rotate
      await f.store.append(chain.slice(0, 30), { durability: 'fsync' });
      expect(await f.store.rotate!({ ifLargerThan: 1024 * 1024 })).toBe(false);
      expect(await collect(f.store.read())).toHaveLength(30);
      expect(await f.store.rotate!({ ifLargerThan: 1000 })).toBe(true);
      expect(await collect(f.store.read())).toEqual([]);
      await f.store.append(chain.slice(30), { durability: 'fsync' });
      expect(await collect(f.store.read())).toEqual(chain.slice(30));
      await f.store.close();
      const again = f.reopen();
      const [h29, h39] = [chain[29]!, chain[39]!];
      const state = await again.open();
      expect(state.head).toEqual({ seq: 40, hash: h39.hash, timestamp: h39.timestamp });
      expect(state.base).toEqual({ seq: 30, hash: h29.hash, timestamp: h29.timestamp });
      expect((await collect(again.read({ fromSeq: 1 }))).map((e) => e.seq)).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);
      // Rotating with an empty segment after the base keeps the base.
      expect(await again.rotate!({ ifLargerThan: 10 })).toBe(true);
      expect(await again.rotate!({ ifLargerThan: 10 })).toBe(false);
      await again.close();
      const third = f.reopen();
      expect((await third.open()).base).toEqual({ seq: 40, hash: h39.hash, timestamp: h39.timestamp });
      await third.close();
      f.store = third;
    });

    it('keeps non-ASCII metadata byte-exact', async () => {
      const { store } = await setup();
      const chain = await buildChain(3);
      // Multi-byte text, so read-chunk and line boundaries fall inside UTF-8 sequences.
      const odd = chain.map((e, i) => ({ ...e, metadata: { text: 'Grüße 温度 🌡️'.repeat(50 + i), quote: '"\\\u2028' } }));
      await store.open();
      await store.append(odd, { durability: 'none' });
      expect(await collect(store.read())).toEqual(odd);
      await store.close();
    });

    it('refuses to work when not open', async () => {
      const { store } = await setup();
      await expect(store.append(await buildChain(1), { durability: 'none' })).rejects.toThrow();
      await store.open();
      await store.close();
      await expect(store.append(await buildChain(1), { durability: 'none' })).rejects.toThrow();
    });
  });
}
