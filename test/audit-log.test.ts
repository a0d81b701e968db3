import { describe, expect, it } from 'vitest';
import vectors from './vectors/interop-vectors.json';
import {
  AuditLogError,
  GENESIS_HASH,
  HashChainError,
  InvalidAuditEntryError,
  OfflineConsentError,
  createMemoryAuditStore,
  createOfflineAuditLog,
  generateEd25519KeyPair,
  verifyChain,
  verifyEntrySignature,
  type AuditEntry,
  type SignedAuditEntry,
} from '../src/index.js';
import { importEd25519PrivateKey, importEd25519PublicKey } from '../src/crypto/ed25519.js';
import { AUDIT_KEY, sampleEntry } from './helpers/chain.js';
import { instrument } from './helpers/instrumented-store.js';
import { describeRekey } from './helpers/rekey-suite.js';
import { describeMark } from './helpers/mark-suite.js';
import type { AuditStore } from '../src/index.js';

const entry = sampleEntry;

function newLog(options: Partial<Parameters<typeof createOfflineAuditLog>[0]> = {}) {
  const store = options.store ?? createMemoryAuditStore();
  return { store, log: createOfflineAuditLog({ signingKey: AUDIT_KEY, store, ...options }) };
}

describe('createOfflineAuditLog: appends', () => {
  it('reproduces the vector chain exactly from the same inputs and clock', async () => {
    const chain = vectors.chain as SignedAuditEntry[];
    let i = 0;
    const { log } = newLog({ now: () => Date.parse(chain[i++]!.timestamp) });
    for (const v of chain) {
      const { seq: _s, timestamp: _t, prevHash: _p, hash: _h, signature: _g, ...input } = v;
      expect(await log.append(input)).toEqual(v);
    }
    expect(await log.entries()).toEqual(chain);
    expect(await log.head()).toEqual({ seq: 3, hash: chain[2]!.hash, timestamp: chain[2]!.timestamp });
  });

  it('signs with the bundle key given as PEM, JWK or a CryptoKeyPair', async () => {
    const pair = {
      privateKey: await importEd25519PrivateKey(AUDIT_KEY.privateKey),
      publicKey: await importEd25519PublicKey(AUDIT_KEY.publicKey),
    };
    for (const signingKey of [AUDIT_KEY, pair]) {
      const { log } = newLog({ signingKey });
      const e = await log.append(entry());
      expect(e.prevHash).toBe(GENESIS_HASH);
      expect(await verifyEntrySignature(e, AUDIT_KEY.publicJwk)).toBe(true);
    }
  });

  it('refuses a key that is not Ed25519', async () => {
    // Synchronously, when the log is created (as upstream), not at the first append.
    expect(() => newLog({ signingKey: { ...AUDIT_KEY, algorithm: 'RS256' } })).toThrow(expect.objectContaining({ code: 'INVALID_KEY', message: expect.stringContaining('Ed25519') }));
    const garbled = newLog({ signingKey: { ...AUDIT_KEY, privateKey: 'not a key' } }).log;
    await expect(garbled.append(entry())).rejects.toBeInstanceOf(OfflineConsentError);
  });

  it('1,000 concurrent appends make one valid chain of 1,000, in call order, in far fewer writes', async () => {
    const spy = instrument(createMemoryAuditStore());
    const { log } = newLog({ store: spy.store });
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => log.append(entry(i))));
    results.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      expect(e.action).toBe(`tool.call.${i}`);
    });
    const all = await log.entries();
    expect(all).toEqual(results);
    expect(await verifyChain(all, { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: true, count: 1000 });
    expect(await log.verify()).toEqual({ valid: true, count: 1000 });
    // Group commit: the 1,000 entries went out in a handful of batches, none lost.
    expect(spy.batches.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(spy.batches.length).toBeLessThan(10);
  });

  it('appends arriving while a write is in flight go out together in the next write', async () => {
    const spy = instrument(createMemoryAuditStore());
    const { log } = newLog({ store: spy.store });
    await log.append(entry(0)); // opened
    const first = log.append(entry(1));
    await Promise.resolve();
    const later = [log.append(entry(2)), log.append(entry(3)), log.append(entry(4))];
    await Promise.all([first, ...later]);
    expect(spy.batches).toEqual([1, 1, 3]);
  });

  it('timestamps are ISO-8601 from the injected clock and never go backwards', async () => {
    const times = [Date.UTC(2026, 0, 1, 12), Date.UTC(2026, 0, 1, 11), Date.UTC(2026, 0, 1, 13)];
    let i = 0;
    const { log } = newLog({ now: () => times[i++]! });
    const stamps = [];
    for (let k = 0; k < 3; k++) stamps.push((await log.append(entry(k))).timestamp);
    expect(stamps).toEqual(['2026-01-01T12:00:00.000Z', '2026-01-01T12:00:00.000Z', '2026-01-01T13:00:00.000Z']);
  });

  it('a clock that returns no number fails the append with a RangeError and writes nothing', async () => {
    const spy = instrument(createMemoryAuditStore());
    const { log } = newLog({ store: spy.store, now: () => NaN });
    await expect(log.append(entry())).rejects.toThrow(RangeError);
    expect(spy.batches).toEqual([]);
  });
});

describe('createOfflineAuditLog: entry validation, before anything is written', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const cases: [string, unknown][] = [
    ['a function', { metadata: { f: () => 1 } }],
    ['a cycle', { metadata: cyclic }],
    ['a BigInt', { metadata: { n: 10n } }],
    ['a symbol', { metadata: { s: Symbol('x') } }],
    ['NaN', { metadata: { t: NaN } }],
    ['Infinity in an array', { metadata: { list: [1, Infinity] } }],
    ['undefined in an array', { metadata: { list: [1, undefined] } }],
    ['a Map', { metadata: { m: new Map([[1, 2]]) } }],
    ['metadata that is an array', { metadata: [1, 2] }],
    ['metadata that is a string', { metadata: 'x' }],
    ['metadata null', { metadata: null }],
    ['a non-string action', { action: 42 }],
    ['a non-string agentDID', { agentDID: undefined }],
    ['a non-string grantId', { grantId: null }],
    ['a non-string result', { result: true }],
    ['scopes not an array', { scopes: 'sensor:read' }],
    ['a non-string scope', { scopes: ['a', 1] }],
  ];

  it.each(cases)('%s → InvalidAuditEntryError (a TypeError), nothing written', async (_name, patch) => {
    const spy = instrument(createMemoryAuditStore());
    const { log } = newLog({ store: spy.store });
    const error = await log.append({ ...entry(), ...(patch as object) } as AuditEntry).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidAuditEntryError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as InvalidAuditEntryError).code).toBe('INVALID_AUDIT_ENTRY');
    expect(spy.batches).toEqual([]);
    expect(await log.head()).toBeNull();
    expect((await log.append(entry())).seq).toBe(1); // still usable
  });

  it('accepts what JSON keeps faithfully: Dates become strings, undefined properties are dropped', async () => {
    const { log } = newLog();
    const when = new Date(Date.UTC(2026, 5, 1));
    const e = await log.append(entry(0, { metadata: { when, gone: undefined, nested: { list: [1, 'a', null, { b: false }] } } }));
    expect(e.metadata).toEqual({ when: '2026-06-01T00:00:00.000Z', nested: { list: [1, 'a', null, { b: false }] } });
    expect((await log.entries())[0]).toEqual(e);
    await log.verify();
  });

  it('what the caller changes after append does not reach the entry', async () => {
    const { log } = newLog();
    const input = entry(0, { metadata: { n: 1 } });
    const pending = log.append(input);
    (input.metadata as { n: number }).n = 2;
    input.scopes.push('other');
    const e = await pending;
    expect(e.metadata).toEqual({ n: 1 });
    expect(e.scopes).toEqual(['sensor:read']);
    await log.verify();
  });
});

describe('createOfflineAuditLog: sync marker, head, counts', () => {
  it('head() and unsyncedCount() answer without reading the log', async () => {
    const spy = instrument(createMemoryAuditStore());
    const { log } = newLog({ store: spy.store });
    for (let i = 0; i < 5; i++) await log.append(entry(i));
    const reads = spy.reads;
    expect((await log.head())?.seq).toBe(5);
    expect(await log.unsyncedCount()).toBe(5);
    await log.markSynced(3);
    expect(await log.unsyncedCount()).toBe(2);
    expect(spy.reads).toBe(reads);
  });

  it('markSynced: never backwards, never past the head, integers only', async () => {
    const { log } = newLog();
    for (let i = 0; i < 4; i++) await log.append(entry(i));
    await log.markSynced(3);
    await log.markSynced(1);
    expect(await log.unsyncedCount()).toBe(1);
    for (const bad of [5, -1, 1.5, Number.NaN, '2' as unknown as number]) {
      await expect(log.markSynced(bad)).rejects.toMatchObject({ name: 'AuditLogError', code: 'INVALID_SYNC_MARK' });
    }
    expect(await log.unsyncedCount()).toBe(1);
  });

  it('the head, synced marker and meta survive a restart, and the chain continues', async () => {
    const store = createMemoryAuditStore();
    const first = createOfflineAuditLog({ signingKey: AUDIT_KEY, store });
    for (let i = 0; i < 3; i++) await first.append(entry(i));
    await first.markSynced(2);
    await first.setMeta('revocation', { status: 'revoked' });
    const head = await first.head();
    await first.close();
    const second = createOfflineAuditLog({ signingKey: AUDIT_KEY, store });
    expect(await second.head()).toEqual(head);
    expect(await second.unsyncedCount()).toBe(1);
    expect(await second.getMeta('revocation')).toEqual({ status: 'revoked' });
    const next = await second.append(entry(3));
    expect(next.seq).toBe(4);
    expect(next.prevHash).toBe(head!.hash);
    expect(await second.verify()).toEqual({ valid: true, count: 4 });
  });

  it('close waits for pending appends; afterwards every call is AUDIT_LOG_CLOSED', async () => {
    const { log } = newLog();
    const pending = Promise.all([log.append(entry(0)), log.append(entry(1))]);
    await log.close();
    expect((await pending).map((e) => e.seq)).toEqual([1, 2]);
    await expect(log.append(entry(2))).rejects.toMatchObject({ code: 'AUDIT_LOG_CLOSED' });
    await expect(log.head()).rejects.toBeInstanceOf(AuditLogError);
  });
});

describe('createOfflineAuditLog: rotation (PROTOCOL.md §6)', () => {
  const KB = 1 / 1024; // maxSizeMB of one kilobyte

  it('rotates only a fully synced segment over the size; the chain head carries over', async () => {
    const { log } = newLog({ maxSizeMB: 2 * KB });
    for (let i = 0; i < 10; i++) await log.append(entry(i)); // ~4 KB, over the limit
    expect(await log.entries()).toHaveLength(10); // not synced: nothing rotates
    await log.markSynced(9);
    expect(await log.entries()).toHaveLength(10); // still one unsynced entry
    const head = await log.head();
    await log.markSynced(10);
    expect(await log.entries()).toEqual([]); // rotated away
    expect(await log.head()).toEqual(head);
    expect(await log.unsyncedCount()).toBe(0);
    const next = await log.append(entry(10));
    expect(next).toMatchObject({ seq: 11, prevHash: head!.hash });
    expect(await log.verify()).toEqual({ valid: true, count: 1 }); // checked from the carried-over head
  });

  it('does not rotate under the size, nor with rotateOnSize: false', async () => {
    for (const options of [{ maxSizeMB: 1 }, { maxSizeMB: KB, rotateOnSize: false }]) {
      const { log } = newLog(options);
      for (let i = 0; i < 10; i++) await log.append(entry(i));
      await log.markSynced(10);
      expect(await log.entries()).toHaveLength(10);
    }
  });

  it('rotates on open when a synced segment is over a (now smaller) size', async () => {
    const store = createMemoryAuditStore();
    const big = createOfflineAuditLog({ signingKey: AUDIT_KEY, store });
    for (let i = 0; i < 10; i++) await big.append(entry(i));
    await big.markSynced(10);
    await big.close();
    const small = createOfflineAuditLog({ signingKey: AUDIT_KEY, store, maxSizeMB: KB });
    expect(await small.entries()).toEqual([]);
    expect((await small.head())?.seq).toBe(10);
  });
});

describe('createOfflineAuditLog: a failed write (injected store fault) leaves the log consistent', () => {
  it('rejects exactly the failed batch with AUDIT_WRITE_FAILED; the next append chains from the last durable entry', async () => {
    const spy = instrument(createMemoryAuditStore());
    const { log } = newLog({ store: spy.store });
    const a = await log.append(entry(0));
    spy.failAppends = 1;
    const failed = await Promise.allSettled([log.append(entry(1)), log.append(entry(2))]);
    for (const r of failed) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ name: 'AuditLogError', code: 'AUDIT_WRITE_FAILED' });
      expect(((r as PromiseRejectedResult).reason as Error).cause).toMatchObject({ message: 'injected store fault' });
    }
    expect(await log.head()).toEqual({ seq: 1, hash: a.hash, timestamp: a.timestamp });
    const b = await log.append(entry(3));
    expect(b).toMatchObject({ seq: 2, prevHash: a.hash, action: 'tool.call.3' });
    expect((await log.entries()).map((e) => e.action)).toEqual(['tool.call.0', 'tool.call.3']);
    expect(await log.verify()).toEqual({ valid: true, count: 2 });
  });

  it('appends queued behind a failed batch still land, in order', async () => {
    const spy = instrument(createMemoryAuditStore());
    const { log } = newLog({ store: spy.store });
    await log.append(entry(0));
    spy.failAppends = 1;
    const doomed = log.append(entry(1));
    await Promise.resolve();
    const queued = [log.append(entry(2)), log.append(entry(3))];
    await expect(doomed).rejects.toMatchObject({ code: 'AUDIT_WRITE_FAILED' });
    expect((await Promise.all(queued)).map((e) => e.seq)).toEqual([2, 3]);
    expect(await log.verify()).toEqual({ valid: true, count: 3 });
  });
});

describe('createOfflineAuditLog: verify', () => {
  it('reports a damaged stored entry as HashChainError at its index', async () => {
    const inner = createMemoryAuditStore();
    const store = {
      ...inner,
      async *read(range?: Parameters<typeof inner.read>[0]) {
        for await (const e of inner.read(range)) yield e.seq === 3 ? { ...e, result: 'auth_failure' } : e;
      },
    };
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, store });
    for (let i = 0; i < 5; i++) await log.append(entry(i));
    const error = await log.verify().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HashChainError);
    expect(error).toMatchObject({ brokenAt: 2, reason: 'hash' });
  });
});

describe('createOfflineAuditLog: time across restarts', () => {
  it('a restarted log never stamps earlier than the last entry, even if the clock went back', async () => {
    const store = createMemoryAuditStore();
    const later = Date.UTC(2026, 10, 22, 12);
    const first = createOfflineAuditLog({ signingKey: AUDIT_KEY, store, now: () => later });
    await first.append(entry(0));
    await first.close();
    const second = createOfflineAuditLog({ signingKey: AUDIT_KEY, store, now: () => later - 3_600_000 });
    expect((await second.append(entry(1))).timestamp).toBe('2026-11-22T12:00:00.000Z');
  });
});

describe('createOfflineAuditLog: verify during rotation', () => {
  it('verify() called while a rotation is under way checks the new segment against the new base', async () => {
    const inner = createMemoryAuditStore();
    let rotationStarted!: () => void;
    const started = new Promise<void>((resolve) => (rotationStarted = resolve));
    // A store whose rotation takes a while after switching segments, as a file rename does.
    const store = {
      ...inner,
      async rotate(options: { ifLargerThan: number }) {
        const rotated = await inner.rotate!(options);
        rotationStarted();
        await new Promise((resolve) => setTimeout(resolve, 20));
        return rotated;
      },
    };
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, store, maxSizeMB: 1 / 1024 });
    for (let i = 0; i < 6; i++) await log.append(entry(i));
    const marking = log.markSynced(6);
    await started;
    expect(await log.verify()).toEqual({ valid: true, count: 0 });
    await marking;
    await log.append(entry(6));
    expect(await log.verify()).toEqual({ valid: true, count: 1 });
  });
});

describe('createOfflineAuditLog: read ranges', () => {
  it('reads from a seq with a limit, and refuses ranges that are not non-negative integers', async () => {
    const { log } = newLog();
    for (let i = 0; i < 5; i++) await log.append(entry(i));
    const seqs: number[] = [];
    for await (const e of log.read({ fromSeq: 2, limit: 2 })) seqs.push(e.seq);
    expect(seqs).toEqual([2, 3]);
    for (const range of [{ fromSeq: -1 }, { limit: 1.5 }, { limit: -2 }, { fromSeq: Number.NaN }]) {
      await expect(log.read(range)[Symbol.asyncIterator]().next()).rejects.toThrow(RangeError);
    }
  });
});

describeRekey('memory store', () => createMemoryAuditStore());

/** A memory store's durable state copied through the store contract, with `edit` applied (an attacker's rewrite). */
async function copyMemoryStore(store: AuditStore, edit: { keep?: number; dropMeta?: string; slots?: (s: [string | null, string | null]) => [string | null, string | null] }): Promise<AuditStore> {
  const state = await store.open();
  const entries: SignedAuditEntry[] = [];
  for await (const e of store.read()) entries.push(e);
  const slots = await store.readMark!();
  const meta = await Promise.all(['auditKeySpans', 'revocation'].map(async (n) => [n, await store.getMeta(n)] as const));
  await store.close();
  const copy = createMemoryAuditStore();
  await copy.open();
  const kept = entries.slice(0, edit.keep ?? entries.length);
  if (kept.length > 0) await copy.append(kept, { durability: 'fsync' });
  await copy.setSynced(Math.min(state.syncedSeq, kept[kept.length - 1]?.seq ?? 0));
  for (const [n, v] of meta) if (v !== undefined && n !== edit.dropMeta) await copy.setMeta(n, v);
  const out = edit.slots ? edit.slots(slots) : slots;
  for (const slot of [0, 1] as const) await copy.writeMark!({ slot, record: out[slot] ?? '' });
  await copy.close();
  return copy;
}

describeMark('memory store', {
  makeStore: () => createMemoryAuditStore(),
  cutTail: (store, keep) => copyMemoryStore(store, { keep }),
  dropMeta: (store, name) => copyMemoryStore(store, { dropMeta: name }),
  damageSlot: (store, slot) => copyMemoryStore(store, { slots: (s) => (slot === 0 ? ['{"body":"torn', s[1]] : [s[0], '{"body":"torn']) }),
  dropMark: (store) => copyMemoryStore(store, { slots: () => [null, null] }),
});

describe('createOfflineAuditLog: key spans', () => {
  it('keySpans() is one open span from 1 with the log key when none is recorded; keySpans seeds it', async () => {
    const { log } = newLog({ signingKey: { publicKey: AUDIT_KEY.publicJwk, privateKey: AUDIT_KEY.privateKey } });
    expect(await log.keySpans()).toEqual([{ fromSeq: 1, toSeq: null, publicKey: AUDIT_KEY.publicKey }]);
    const other = await generateEd25519KeyPair();
    const seeded = [{ fromSeq: 1, toSeq: 0, publicKey: other.publicKey }, { fromSeq: 1, toSeq: null, publicKey: AUDIT_KEY.publicKey }];
    const store = createMemoryAuditStore();
    const s = newLog({ store, keySpans: seeded }).log;
    expect(await s.keySpans()).toEqual(seeded);
    await s.close();
    expect(await newLog({ store }).log.keySpans()).toEqual(seeded); // recorded at open
    await expect(newLog({ keySpans: [{ fromSeq: 3, toSeq: null, publicKey: AUDIT_KEY.publicKey }, { fromSeq: 1, toSeq: null, publicKey: AUDIT_KEY.publicKey }] }).log.head()).rejects.toMatchObject({ code: 'INVALID_KEY' });
  });
});

describe('verifyChain: keys', () => {
  it('checks each entry with exactly the key of its span; an entry outside every span is a signature break', async () => {
    const other = await generateEd25519KeyPair();
    const { log } = newLog();
    for (let i = 0; i < 3; i++) await log.append(entry(i));
    await log.rekey(async () => other);
    for (let i = 0; i < 2; i++) await log.append(entry(10 + i));
    const all = await log.entries();
    const spans = [{ fromSeq: 1, toSeq: 3, publicKey: AUDIT_KEY.publicKey }, { fromSeq: 4, toSeq: null, publicKey: other.publicKey }];
    expect(await verifyChain(all, { keys: spans })).toEqual({ valid: true, count: 5 });
    // Exactly one key per entry: a span that ends one entry early puts seq 3 under the new key.
    expect(await verifyChain(all, { keys: [{ ...spans[0]!, toSeq: 2 }, { ...spans[1]!, fromSeq: 3 }] })).toEqual({ valid: false, brokenAt: 2, reason: 'signature' });
    expect(await verifyChain(all, { keys: [{ ...spans[0]!, toSeq: 3 }, { ...spans[1]!, toSeq: 4 }] })).toEqual({ valid: false, brokenAt: 4, reason: 'signature' });
    expect(await verifyChain(all, { keys: spans.slice(1) })).toEqual({ valid: false, brokenAt: 0, reason: 'signature' });
    expect(await verifyChain(all, { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: false, brokenAt: 3, reason: 'signature' });
  });
});
