import { AuditLogError } from '../errors.js';
import { headOf, type AuditDurability, type AuditHead, type AuditStore } from '../storage/audit-store.js';
import { GENESIS_HASH, computeEntryHash } from './hash.js';
import { signEntryHash } from './signature.js';
import type { AuditEntry, HashableEntry, SignedAuditEntry } from './types.js';

/** Upper bound of one group commit, so one write stays a few hundred kilobytes. */
const MAX_BATCH = 1024;

interface Waiting {
  entry: AuditEntry;
  resolve(entry: SignedAuditEntry): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions {
  store: AuditStore;
  durability: AuditDurability;
  privateKey: CryptoKey;
  now: () => number;
  /** The durable head the store opened with. */
  head: AuditHead | null;
}

/** Serialises every change to a store; appends are chained in call order and written in batches. */
export interface GroupCommit {
  /** Resolves with the signed entry once it is durable; rejects (and changes nothing) if its write fails. */
  append(entry: AuditEntry): Promise<SignedAuditEntry>;
  /** Runs a change (sync mark, meta, rotation) between batches, with no write in flight. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** The last durable entry. */
  head(): AuditHead | null;
  /** Resolves once everything queued so far is settled. */
  settled(): Promise<void>;
}

/**
 * Group commit: appends queue in call order; whatever queued while the previous write was
 * in flight becomes the next batch, hashed in order (each hash needs the one before), signed
 * concurrently, then written with one store call (one write, one flush). The head moves only
 * after the store confirms, so a failed write leaves nothing to chain from.
 */
export function createGroupCommit(options: GroupCommitOptions): GroupCommit {
  const { store, durability, privateKey, now } = options;
  let head = options.head;
  let lastMs = head ? Date.parse(head.timestamp) : -Infinity;
  if (Number.isNaN(lastMs)) lastMs = -Infinity;
  const waiting: Waiting[] = [];
  const tasks: (() => Promise<void>)[] = [];
  let draining: Promise<void> | null = null;

  async function seal(batch: readonly Waiting[]): Promise<{ entries: SignedAuditEntry[]; ms: number }> {
    let seq = head?.seq ?? 0;
    let prevHash = head?.hash ?? GENESIS_HASH;
    let ms = lastMs;
    const hashed: (HashableEntry & { hash: string })[] = [];
    const signatures: Promise<string>[] = [];
    for (const { entry } of batch) {
      const t = now();
      if (!Number.isFinite(t)) throw new RangeError(`now() must return Unix milliseconds, got ${String(t)}`);
      ms = Math.max(ms, t); // never back in time, whatever the clock does
      const { metadata } = entry;
      const h: HashableEntry = {
        seq: ++seq,
        timestamp: new Date(ms).toISOString(),
        action: entry.action,
        agentDID: entry.agentDID,
        grantId: entry.grantId,
        scopes: entry.scopes,
        result: entry.result,
        ...(metadata !== undefined ? { metadata } : {}),
        prevHash,
      };
      const hash = await computeEntryHash(h);
      const signature = signEntryHash(privateKey, hash);
      signature.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
      signatures.push(signature);
      hashed.push({ ...h, hash });
      prevHash = hash;
    }
    const signed = await Promise.all(signatures);
    return { entries: hashed.map((e, i) => ({ ...e, signature: signed[i]! })), ms };
  }

  async function commit(batch: Waiting[]): Promise<void> {
    let sealed;
    try {
      sealed = await seal(batch);
      await store.append(sealed.entries, { durability });
    } catch (cause) {
      const error =
        cause instanceof AuditLogError || cause instanceof RangeError
          ? cause
          : new AuditLogError(`Audit write failed; ${batch.length} entries were not added`, 'AUDIT_WRITE_FAILED', { cause });
      for (const w of batch) w.reject(error);
      return;
    }
    head = headOf(sealed.entries[sealed.entries.length - 1]!);
    lastMs = sealed.ms;
    batch.forEach((w, i) => w.resolve(sealed.entries[i]!));
  }

  async function drain(): Promise<void> {
    await null; // let appends made in the same tick join the first batch
    for (;;) {
      const task = tasks.shift();
      if (task) await task();
      else if (waiting.length > 0) await commit(waiting.splice(0, MAX_BATCH));
      else return;
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
    head: () => head,
    async settled() {
      while (draining) await draining;
    },
  };
}
