import { createStore, del, delMany, get, keys, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { createIndexedDBAuditStore, createOfflineAuditLog, verifyChain, type SignedAuditEntry } from '../../src/browser.js';
import { AUDIT_KEY, buildChain, sampleEntry } from '../helpers/chain.js';
import { describeMark } from '../helpers/mark-suite.js';
import type { AuditStore } from '../../src/browser.js';

const entry = (i: number) => sampleEntry(i);
const unique = (label: string) => `${label}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

describe('audit log on IndexedDB (browser entry)', () => {
  it('createOfflineAuditLog({ logPath }) is an IndexedDB log: concurrent appends make one chain, a new log object continues it', async () => {
    const logPath = unique('agent-audit');
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath });
    const written = await Promise.all(Array.from({ length: 300 }, (_, i) => log.append(entry(i))));
    expect(written.map((e) => e.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    await log.markSynced(100);
    await log.close();

    const again = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath });
    expect(await again.head()).toEqual({ seq: 300, hash: written[299]!.hash, timestamp: written[299]!.timestamp });
    expect(await again.unsyncedCount()).toBe(200);
    expect((await again.append(entry(300))).prevHash).toBe(written[299]!.hash);
    expect(await again.verify()).toEqual({ valid: true, count: 301 });
    expect(await verifyChain(await again.entries(), { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: true, count: 301 });
    await again.close();
  });

  it('a second open of the same log (another tab or worker) is refused with AUDIT_LOG_LOCKED', async () => {
    const name = unique('locked');
    const first = createIndexedDBAuditStore(name);
    await first.open();
    await expect(createIndexedDBAuditStore(name).open()).rejects.toMatchObject({ code: 'AUDIT_LOG_LOCKED' });
    await first.close();
    const second = createIndexedDBAuditStore(name);
    await expect(second.open()).resolves.toMatchObject({ head: null });
    await second.close();
  });

  it('a group commit is one transaction: a batch that fails part-way leaves nothing behind', async () => {
    const name = unique('atomic');
    const store = createIndexedDBAuditStore(name);
    const chain = await buildChain(5);
    await store.open();
    await store.append(chain.slice(0, 2), { durability: 'fsync' });
    // The fourth entry cannot be stored (a function is not cloneable): the third must not land either.
    const bad = [chain[2]!, chain[3]!, { ...chain[4]!, metadata: { f: () => 1 } } as unknown as SignedAuditEntry];
    await expect(store.append(bad, { durability: 'fsync' })).rejects.toThrow();
    const read: number[] = [];
    for await (const e of store.read()) read.push(e.seq);
    expect(read).toEqual([1, 2]);
    await store.close();
    const raw = await keys(createStore(`offline-consent-audit:${name}`, 'audit'));
    expect(raw.filter((k) => typeof k === 'number').sort()).toEqual([1, 2]); // in the database itself, not just the head
    const reopened = createIndexedDBAuditStore(name);
    expect((await reopened.open()).head).toEqual({ seq: 2, hash: chain[1]!.hash, timestamp: chain[1]!.timestamp });
    await reopened.close();
  });
});

// The mark suite on IndexedDB: the attacker edits the log's object store directly (devtools, a profile copy).
const markNames = new WeakMap<AuditStore, string>();
const rawStore = (store: AuditStore) => createStore(`offline-consent-audit:${markNames.get(store)!}`, 'audit');
describeMark('IndexedDB store', {
  makeStore() {
    const name = unique('mark');
    const store = createIndexedDBAuditStore(name);
    markNames.set(store, name);
    return store;
  },
  async cutTail(store, keep) {
    const raw = rawStore(store);
    const seqs = (await keys(raw)).filter((k): k is number => typeof k === 'number' && k > keep);
    await delMany(seqs, raw);
    const last = await get<SignedAuditEntry>(keep, raw);
    await set('head', { seq: last!.seq, hash: last!.hash, timestamp: last!.timestamp }, raw);
    return store;
  },
  async dropMeta(store, name) {
    await del(`meta:${name}`, rawStore(store));
    return store;
  },
  async damageSlot(store, slot) {
    await set(`hwm:${slot}`, '{"body":"torn write', rawStore(store));
    return store;
  },
  async dropMark(store) {
    await delMany(['hwm:0', 'hwm:1'], rawStore(store));
    return store;
  },
});
