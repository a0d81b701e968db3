import { AuditLogError, AuditLogTruncatedError, HashChainError } from '../errors.js';
import type { AuditHead, AuditReadRange, AuditStore } from './audit-store.js';
import { checkAuditEntry } from './check-entry.js';
import { createGroupCommit, type GroupCommit } from './group-commit.js';
import { exportEd25519PublicKeyPem } from '../crypto/ed25519.js';
import { REVOCATION_META } from '../sync/revocation.js';
import { openMark, sealMark, toRevocationLatch, type HighWaterMark, type RevocationLatch } from './high-water-mark.js';
import { KEY_SPANS_META, importKeySpans, nextSpans, type AuditKeySpan } from './key-spans.js';
import { assertEd25519Algorithm, importAuditSigningKey, type AuditSigningKey } from './signing-key.js';
import type { SignedAuditEntry } from './types.js';
import { verifyChain } from './verify-chain.js';
import { TRUNCATION_ACCEPTED_ACTION, type OfflineAuditLog, type OfflineAuditLogOptions } from './log-options.js';
import { checkHeadEntry, isBehind, markKeys } from './log-open-checks.js';

export { TRUNCATION_ACCEPTED_ACTION } from './log-options.js';
export type { AuditLogBundle, OfflineAuditLog, OfflineAuditLogOptions, TruncationAcceptance } from './log-options.js';

interface Opened {
  commit: GroupCommit;
  spans: AuditKeySpan[];
  base: AuditHead | null;
  syncedSeq: number;
}

/**
 * An append-only, Ed25519-signed, SHA-256 hash-chained audit log on any `AuditStore`
 * (`@grantex/gemma`'s API plus `head`, `read`, `verify`, `close`). Starts opening at once
 * (key import, store repair) and every call waits for it; an open that fails (bad key,
 * corrupt store, log locked) fails every call with that error.
 */
export function createOfflineAuditLog(options: OfflineAuditLogOptions): OfflineAuditLog {
  if (!options || typeof options !== 'object') throw new TypeError('createOfflineAuditLog needs an options object');
  const { store, maxSizeMB = 50, rotateOnSize = true, durability = 'fsync', onRecover, now = Date.now, bundle, acceptTruncation } = options;
  const signingKey = options.signingKey ?? bundle?.offlineAuditKey;
  const keySpans = options.keySpans ?? bundle?.auditKeySpans;
  const requireMark = options.requireMark ?? bundle?.hwmRequired === true;
  const markOn = options.mark !== false;
  if (!store || typeof store.open !== 'function' || typeof store.append !== 'function') throw new TypeError('store must be an AuditStore');
  if (typeof maxSizeMB !== 'number' || !(maxSizeMB > 0)) throw new RangeError(`maxSizeMB must be a positive number, got ${String(maxSizeMB)}`);
  if (durability !== 'fsync' && durability !== 'none') throw new TypeError(`durability must be 'fsync' or 'none', got ${String(durability)}`);
  if (typeof now !== 'function') throw new TypeError('now must be a function returning Unix ms');
  if (onRecover !== undefined && typeof onRecover !== 'function') throw new TypeError('onRecover must be a function');
  if (bundle !== undefined && (!bundle || typeof bundle !== 'object')) throw new TypeError('bundle must be a consent bundle');
  assertEd25519Algorithm(signingKey); // a non-Ed25519 key is refused here, before the log exists, not at the first append
  if (acceptTruncation !== undefined) {
    if (!acceptTruncation || typeof acceptTruncation.agentDID !== 'string' || typeof acceptTruncation.grantId !== 'string') {
      throw new TypeError('acceptTruncation must be { agentDID, grantId }');
    }
    if (durability !== 'fsync') throw new TypeError("acceptTruncation needs durability: 'fsync'");
  }
  const maxBytes = maxSizeMB * 1024 * 1024;
  let closed = false;
  // verify() pairs a segment with its base; a rotation must not slip between the two.
  let verifying = 0;
  let rotating: Promise<void> | null = null;
  // The mark's revocation latch, and (under 'none', where the head written is not known durable) the position it holds.
  let latch: RevocationLatch | null = null;
  let marked: { head: AuditHead | null; floor: number } = { head: null, floor: 0 };
  const bundleId = bundle && typeof bundle.bundleId === 'string' ? bundle.bundleId : null;
  /** Reports a repair that dropped nothing. */
  const repaired = (kind: string, message: string) => onRecover?.({ kind, droppedBytes: 0, message });

  const ready: Promise<Opened> = (async () => {
    const keys = await importAuditSigningKey(signingKey as AuditSigningKey);
    const state = await store.open();
    try {
      for (const recovery of state.recovered) onRecover?.(recovery);
      if (state.head && state.head.seq !== state.base?.seq) await checkHeadEntry(store, state.head, state.base);
      let spans = await store.getMeta<AuditKeySpan[]>(KEY_SPANS_META);
      if (!spans && keySpans) {
        await importKeySpans(keySpans); // refuse malformed spans before recording them
        await store.setMeta(KEY_SPANS_META, (spans = keySpans.map((k) => ({ ...k }))));
      }
      const supported = markOn && typeof store.readMark === 'function' && typeof store.writeMark === 'function';
      let found: HighWaterMark | null = null;
      if (supported) {
        const read = await openMark(await store.readMark!(), await markKeys(keys.publicKey, spans));
        for (const slot of read.damagedSlots) repaired('mark-slot-damaged', `High-water mark slot ${slot} is damaged; using the other`);
        found = read.mark;
      }
      const truncated = found && (await isBehind(store, found.head, state.head, state.base));
      if (truncated && !acceptTruncation) throw new AuditLogTruncatedError(found!.head!, state.head && { ...state.head });
      if (markOn && !found && state.head && requireMark && durability === 'fsync') {
        throw new AuditLogError(
          supported ? `The audit log (seq ${state.head.seq}) has no valid high-water mark, and its bundle requires one` : 'The audit store keeps no high-water mark, and the bundle requires one',
          'AUDIT_MARK_MISSING',
        );
      }
      latch = found?.revoked ?? null;
      if (found) marked = { head: found.head, floor: found.floor };
      const mark = supported
        ? {
            eachCommit: durability === 'fsync',
            counter: found?.counter ?? 0,
            seal: (at: { counter: number; head: AuditHead | null; floor: number }, key: CryptoKey) =>
              sealMark({ v: 1, counter: at.counter, bundleId, head: at.head, floor: at.floor, revoked: latch }, key),
          }
        : undefined;
      const commit = createGroupCommit({ store, durability, privateKey: keys.privateKey, now, head: state.head, ...(found ? { floorMs: found.floor } : {}), ...(mark ? { mark } : {}) });
      if (mark && !found && durability === 'fsync') {
        await commit.exclusive(() => commit.writeMark());
        if (state.head) repaired('mark-adopted', `Adopted a high-water mark at seq ${state.head.seq}`);
      }
      if (truncated && acceptTruncation) {
        const markHead = { ...found!.head! };
        const logHead = state.head && { ...state.head };
        const accepted = await commit.append(
          checkAuditEntry({ action: TRUNCATION_ACCEPTED_ACTION, agentDID: acceptTruncation.agentDID, grantId: acceptTruncation.grantId, scopes: [], result: 'success', metadata: { markHead, logHead } }),
        );
        repaired('truncation-accepted', `Accepted a truncation: the mark was at seq ${markHead.seq}, the log at seq ${logHead?.seq ?? 0}; recorded as seq ${accepted.seq}`);
      }
      const opened: Opened = {
        commit,
        spans: spans ?? [{ fromSeq: 1, toSeq: null, publicKey: await exportEd25519PublicKeyPem(keys.publicKey) }],
        base: state.base,
        syncedSeq: state.syncedSeq,
      };
      await maybeRotate(opened);
      return opened;
    } catch (error) {
      await store.close().catch(() => {}); // release the file / lock; the open error is what matters
      throw error;
    }
  })();
  ready.catch(() => {}); // surfaced by the first call; not an unhandled rejection meanwhile

  /** Rotation per PROTOCOL.md §6: only a fully synced segment, and the head carries over. */
  async function maybeRotate(o: Opened): Promise<void> {
    const head = o.commit.head();
    if (!rotateOnSize || !store.rotate || !head || o.syncedSeq < head.seq || verifying > 0) return;
    rotating = (async () => {
      if (await store.rotate!({ ifLargerThan: maxBytes })) o.base = head;
    })();
    try {
      await rotating;
    } finally {
      rotating = null;
    }
  }

  /** Rewrites the mark (inside `exclusive`): under 'fsync' at the durable head, under 'none' where it stood. */
  async function writeMark(o: Opened): Promise<void> {
    await o.commit.writeMark(durability === 'fsync' ? undefined : marked);
  }

  async function use(): Promise<Opened> {
    if (closed) throw new AuditLogError('The audit log is closed', 'AUDIT_LOG_CLOSED');
    return ready;
  }

  // Changes started before close() (possibly still waiting for the open) finish before it closes the store.
  const changing = new Set<Promise<unknown>>();
  function change<T>(run: (o: Opened) => Promise<T>): Promise<T> {
    const p = use().then(run);
    changing.add(p);
    const forget = () => changing.delete(p);
    p.then(forget, forget);
    return p;
  }

  async function* read(range: AuditReadRange = {}): AsyncGenerator<SignedAuditEntry> {
    for (const key of ['fromSeq', 'limit'] as const) {
      const v = range[key];
      if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) throw new RangeError(`read ${key} must be a non-negative integer, got ${String(v)}`);
    }
    await use();
    yield* store.read(range);
  }

  return {
    async append(entry) {
      const copy = checkAuditEntry(entry); // before anything else: a bad entry never reaches the store
      return change((o) => o.commit.append(copy));
    },

    async entries() {
      const out: SignedAuditEntry[] = [];
      for await (const entry of read()) out.push(entry);
      return out;
    },

    read,

    async head() {
      const head = (await use()).commit.head();
      return head && { ...head };
    },

    async unsyncedCount() {
      const o = await use();
      return Math.max(0, (o.commit.head()?.seq ?? 0) - o.syncedSeq);
    },

    async markSynced(upToSeq) {
      if (!Number.isSafeInteger(upToSeq) || upToSeq < 0) {
        throw new AuditLogError(`markSynced needs a non-negative integer seq, got ${String(upToSeq)}`, 'INVALID_SYNC_MARK');
      }
      const mark = async (o: Opened): Promise<void> => {
        const headSeq = o.commit.head()?.seq ?? 0;
        if (upToSeq > headSeq) throw new AuditLogError(`Cannot mark seq ${upToSeq} synced: the log ends at ${headSeq}`, 'INVALID_SYNC_MARK');
        if (upToSeq <= o.syncedSeq) return; // the marker is a contiguous prefix; it never moves back
        await store.setSynced(upToSeq);
        o.syncedSeq = upToSeq;
        await maybeRotate(o);
      };
      await change((o) => o.commit.exclusive(() => mark(o)));
    },

    async verify() {
      const o = await use();
      verifying++;
      try {
        while (rotating) await rotating;
        const head = o.commit.head();
        const base = o.base;
        const result = await verifyChain(store.read(), { keys: o.spans, ...(base ? { previous: base } : {}) });
        if (!result.valid) throw new HashChainError(result.brokenAt, result.reason);
        // Entries read must reach the head the log chains from: nothing missing at the end.
        const expected = (head?.seq ?? 0) - (base?.seq ?? 0);
        if (result.count < expected) throw new HashChainError(result.count, 'seq');
        return result;
      } finally {
        verifying--;
      }
    },

    async keySpans() {
      return (await use()).spans.map((s) => ({ ...s }));
    },

    async rekey(run) {
      if (typeof run !== 'function') throw new TypeError('rekey needs a function giving the new key');
      await change((o) =>
        o.commit.exclusive(async () => {
          const head = o.commit.head();
          const next = await importAuditSigningKey(await run(head && { ...head }));
          const spans = nextSpans(o.spans, head?.seq ?? 0, await exportEd25519PublicKeyPem(next.publicKey));
          await store.setMeta(KEY_SPANS_META, spans);
          o.spans = spans;
          o.commit.setSigningKey(next.privateKey);
          // A crash before this leaves a mark under the previous span's key, which open also accepts.
          await writeMark(o);
        }),
      );
    },

    async getMeta<T>(name: string) {
      await use();
      const value = await store.getMeta<T>(name);
      // The mark's latch holds even when the meta record lost it.
      if (value === undefined && name === REVOCATION_META && latch) return { ...latch } as T;
      return value;
    },

    async setMeta(name, value) {
      await change((o) =>
        o.commit.exclusive(async () => {
          await store.setMeta(name, value);
          if (name !== REVOCATION_META) return;
          latch = toRevocationLatch(value);
          await writeMark(o);
        }),
      );
    },

    async close() {
      if (closed) return;
      closed = true;
      const o = await ready.catch(() => null);
      if (!o) return;
      await Promise.allSettled(changing);
      await o.commit.settled();
      await store.close();
    },
  };
}
