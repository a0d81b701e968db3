import { AuditLogError } from '../errors.js';
import { headOf, type AuditDurability, type AuditHead, type AuditMarkWrite, type AuditStore } from './audit-store.js';
import { GENESIS_HASH, computeEntryHash } from './hash.js';
import { signText } from './signature.js';
import type { AuditEntry, HashableEntry, SignedAuditEntry } from './types.js';

/** Upper bound of one group commit, so one write stays a few hundred kilobytes. */
const MAX_BATCH = 1024;

interface Waiting {
  entry: AuditEntry;
  resolve(entry: SignedAuditEntry): void;
  reject(error: unknown): void;
}

/** A chain position, the time of its entry (the next timestamp is never earlier) and the high-water mark's counter. */
interface Tip {
  head: AuditHead | null;
  ms: number;
  counter: number;
}

interface Sealed {
  entries: SignedAuditEntry[];
  tip: Tip;
  mark: AuditMarkWrite | undefined;
}

/** What the group commit asks of the high-water mark (the log fills in the rest: bundle, latch). */
export interface GroupCommitMark {
  /** Seals the mark for a position, signed with the current key. */
  seal(at: { counter: number; head: AuditHead | null; floor: number }, privateKey: CryptoKey): Promise<AuditMarkWrite>;
  /** Whether each batch carries a mark of its new head (only under `fsync`: the head must be durable). */
  eachCommit: boolean;
  /** The counter of the mark the store holds (0: none). */
  counter: number;
}

export interface GroupCommitOptions {
  store: AuditStore;
  durability: AuditDurability;
  privateKey: CryptoKey;
  now: () => number;
  /** The durable head the store opened with. */
  head: AuditHead | null;
  /** No timestamp before this (Unix ms): the clock floor kept in the high-water mark. */
  floorMs?: number;
  /** The high-water mark, when the store keeps one. */
  mark?: GroupCommitMark;
}

/** Serialises every change to a store; appends are chained in call order and written in batches. */
export interface GroupCommit {
  /** Resolves with the signed entry once it is durable; rejects (and changes nothing) if its write fails. `entry` is a `checkAuditEntry` copy. */
  append(entry: AuditEntry): Promise<SignedAuditEntry>;
  /** Runs a change (sync mark, meta, rotation) between batches, with no write in flight. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** The last durable entry. */
  head(): AuditHead | null;
  /** Signs every later batch with `privateKey`; call it inside `exclusive`, where no batch is sealed or in flight. */
  setSigningKey(privateKey: CryptoKey): void;
  /**
   * Writes the high-water mark once (call it inside `exclusive`): at `at` (default the
   * durable head and floor), signed with the current key. No-op without a mark.
   */
  writeMark(at?: { head: AuditHead | null; floor: number }): Promise<void>;
  /** Resolves once everything queued so far is settled. */
  settled(): Promise<void>;
}

/**
 * Group commit: appends queue in call order; whatever queued while the previous write was
 * in flight becomes the next batch, hashed in order (each hash needs the one before), signed
 * concurrently, then written with one store call (one write, one flush). The durable head
 * moves only after the store confirms, so a failed write leaves nothing to chain from.
 */
export function createGroupCommit(options: GroupCommitOptions): GroupCommit {
  const { store, durability, now } = options;
  let { privateKey } = options;
  const { mark } = options;
  const startMs = Math.max(options.head ? Date.parse(options.head.timestamp) : Number.NaN, options.floorMs ?? -Infinity);
  let durable: Tip = { head: options.head, ms: Number.isNaN(startMs) ? -Infinity : startMs, counter: mark?.counter ?? 0 };
  const waiting: Waiting[] = [];
  const tasks: (() => Promise<void>)[] = [];
  let draining: Promise<void> | null = null;

  async function seal(batch: readonly Waiting[], from: Tip): Promise<Sealed> {
    let seq = from.head?.seq ?? 0;
    let prevHash = from.head?.hash ?? GENESIS_HASH;
    let ms = from.ms;
    const hashed: (HashableEntry & { hash: string })[] = [];
    for (const { entry } of batch) {
      const t = now();
      if (!Number.isFinite(t)) throw new RangeError(`now() must return Unix milliseconds, got ${String(t)}`);
      ms = Math.max(ms, t); // never back in time, whatever the clock does
      // `entry` is checkAuditEntry's copy: exactly the AuditEntry fields, in their stored order (metadata only when present).
      const h: HashableEntry = { seq: ++seq, timestamp: new Date(ms).toISOString(), ...entry, prevHash };
      const hash = await computeEntryHash(h);
      hashed.push({ ...h, hash });
      prevHash = hash;
    }
    // Signed after the chain, not during it: on few cores, signatures in flight slow every
    // step of the sequential hash chain by more than the overlap saves.
    const head = headOf(hashed[hashed.length - 1]!);
    // One mark per batch, signed alongside the entries; the store writes it after them.
    const counter = mark?.eachCommit ? from.counter + 1 : from.counter;
    const sealedMark = mark?.eachCommit ? mark.seal({ counter, head, floor: ms }, privateKey) : undefined;
    const [signed, sealedMarkWrite] = await Promise.all([Promise.all(hashed.map((e) => signText(privateKey, e.hash))), sealedMark]);
    const entries = hashed.map((e, i) => ({ ...e, signature: signed[i]! }));
    return { entries, tip: { head, ms, counter }, mark: sealedMarkWrite };
  }

  function fail(batch: readonly Waiting[], cause: unknown): void {
    const error =
      cause instanceof AuditLogError || cause instanceof RangeError
        ? cause
        : new AuditLogError(`Audit write failed; ${batch.length} entries were not added`, 'AUDIT_WRITE_FAILED', { cause });
    for (const w of batch) w.reject(error);
  }

  /** Writes a sealed batch; true once it landed (the head moves), false if it failed (nothing moves). */
  async function write(batch: readonly Waiting[], sealed: Sealed): Promise<boolean> {
    try {
      await store.append(sealed.entries, sealed.mark ? { durability, mark: sealed.mark } : { durability });
    } catch (cause) {
      fail(batch, cause);
      return false;
    }
    durable = sealed.tip;
    batch.forEach((w, i) => w.resolve(sealed.entries[i]!));
    return true;
  }

  // Pipelined: the next batch is hashed and signed while the previous one is being written
  // and flushed. If that write fails, the next batch is sealed again from the durable head.
  async function drain(): Promise<void> {
    await null; // let appends made in the same tick join the first batch
    let writing: Promise<boolean> | null = null;
    let tip = durable; // where the next batch chains from
    for (;;) {
      if (tasks.length > 0 || waiting.length === 0) {
        if (writing) {
          await writing;
          writing = null;
          tip = durable;
          continue;
        }
        const task = tasks.shift();
        if (!task) return;
        await task();
        tip = durable;
        continue;
      }
      const batch = waiting.splice(0, MAX_BATCH);
      let sealed: Sealed;
      try {
        sealed = await seal(batch, tip);
        if (writing && !(await writing)) sealed = await seal(batch, durable);
      } catch (cause) {
        if (writing) await writing;
        writing = null;
        tip = durable;
        fail(batch, cause);
        continue;
      }
      writing = write(batch, sealed);
      tip = sealed.tip;
    }
  }

  function kick(): void {
    if (draining) return;
    draining = drain().finally(() => {
      draining = null;
      if (waiting.length > 0 || tasks.length > 0) kick(); // queued between the last check and now
    });
  }

  return {
    append(entry) {
      return new Promise<SignedAuditEntry>((resolve, reject) => {
        waiting.push({ entry, resolve, reject });
        kick();
      });
    },
    exclusive<T>(task: () => Promise<T>) {
      return new Promise<T>((resolve, reject) => {
        tasks.push(() => task().then(resolve, reject));
        kick();
      });
    },
    head: () => durable.head,
    setSigningKey(key) {
      privateKey = key;
    },
    async writeMark(at) {
      if (!mark || !store.writeMark) return;
      const counter = durable.counter + 1;
      const { head, floor } = at ?? { head: durable.head, floor: durable.ms };
      await store.writeMark(await mark.seal({ counter, head, floor: Number.isFinite(floor) ? floor : 0 }, privateKey));
      durable = { ...durable, counter };
    },
    async settled() {
      while (draining) await draining;
    },
  };
}
