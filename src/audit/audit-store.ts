import type { SignedAuditEntry } from './types.js';

/** Where a chain stands: its last entry. */
export interface AuditHead {
  /** The last entry's sequence number. */
  seq: number;
  /** The last entry's hash. */
  hash: string;
  /** The last entry's timestamp. */
  timestamp: string;
}

/**
 * How far a write is pushed before `append` resolves. `fsync`: on stable storage (file:
 * fdatasync; IndexedDB: a `strict` transaction). `none`: handed to the OS / browser, which
 * may lose the last writes on power loss (never on a process crash for the file store).
 */
export type AuditDurability = 'fsync' | 'none';

/** Something `open()` repaired, passed to the log's `onRecover`. Nothing acknowledged is ever dropped. */
export interface AuditRecovery {
  /**
   * `torn-tail`: an unfinished last line (a write cut by a crash) was cut off;
   * `synced-marker`: the synced marker was unreadable or past the head and was reset to the live segment's start
   * (those entries count as unsynced again; the authority's re-upload is idempotent);
   * `stale-lock`: the writer's lock was left by a process that is gone (killed, rebooted, pid reused) and was taken over;
   * `interrupted-rotation`: a rotation cut by a crash was completed;
   * `mark-adopted`: a log without a high-water mark (an earlier release, `@grantex/gemma`) got one, from its current head;
   * `mark-slot-damaged`: one slot of the high-water mark was unreadable (a write cut short); the other was used.
   */
  kind: 'torn-tail' | 'synced-marker' | 'interrupted-rotation' | 'stale-lock' | 'mark-adopted' | 'mark-slot-damaged' | (string & {});
  /** What was repaired, in a sentence. */
  message: string;
  /** Bytes removed from the end of the log (torn-tail), else 0. */
  droppedBytes: number;
}

/** What a store knows right after `open()`, all without reading the whole log. */
export interface AuditStoreState {
  /** The last entry written, or null for an empty chain. Survives rotation. */
  head: AuditHead | null;
  /**
   * The entry just before the first readable one: null while nothing was rotated away (the
   * readable entries start at seq 1, after the genesis hash); after a rotation, the head
   * at that moment.
   */
  base: AuditHead | null;
  /** Last seq the authority acknowledged (0: none). */
  syncedSeq: number;
  /** Every repair made while opening. */
  recovered: AuditRecovery[];
}

/**
 * One slot write of the log's sealed high-water mark (see `high-water-mark.ts`): the store
 * keeps `record` (opaque text under 2 KiB) in slot `slot`, leaving the other slot alone.
 */
export interface AuditMarkWrite {
  /** Which of the two slots to write. */
  slot: 0 | 1;
  /** The sealed mark to keep there. */
  record: string;
}

/** A slice of the readable entries, by seq. */
export interface AuditReadRange {
  /** First seq to return (default: the first readable entry). */
  fromSeq?: number;
  /** At most this many entries (default: all). */
  limit?: number;
}

/**
 * Durable home of one audit chain. The log owns the chain (seq, hashes, signatures, call
 * order); a store only keeps entries in order and survives crashes. The log makes one
 * change at a time (`append`, `setSynced`, `setMeta`, `rotate` never overlap); reads may run
 * alongside. One implementation per runtime:
 * memory (core), file (`offline-consent/node`), IndexedDB (`offline-consent/browser`).
 */
export interface AuditStore {
  /** Opens (or reopens after `close`), repairing what a crash left; cheap: no full read. */
  open(): Promise<AuditStoreState>;
  /**
   * Adds entries (consecutive seqs following the head) as one atomic-or-repairable
   * group commit; resolves once they are durable as asked. On rejection the store holds
   * exactly what it held before (the store repairs partial writes itself). A store with
   * `writeMark` also writes `options.mark`, only **after** the entries are durable (or in the
   * same atomic transaction, after them): a mark never covers an entry that could still be lost.
   */
  append(entries: readonly SignedAuditEntry[], options: { durability: AuditDurability; mark?: AuditMarkWrite }): Promise<void>;
  /**
   * Readable entries in seq order, as they stand when iteration starts (entries appended
   * while iterating are not included). Throws `HashChainError` (`malformed`) at a record that is not an entry.
   */
  read(range?: AuditReadRange): AsyncIterable<SignedAuditEntry>;
  /** Durably records the last synced seq. */
  setSynced(seq: number): Promise<void>;
  /** A small JSON value stored beside the log (e.g. the authority's revocation), or undefined. */
  getMeta<T = unknown>(name: string): Promise<T | undefined>;
  /** Durably stores a small JSON value beside the log; `undefined` deletes it. */
  setMeta(name: string, value: unknown): Promise<void>;
  /**
   * Moves the readable segment out of the way (archive or drop) when it is larger than
   * `ifLargerThan` bytes, keeping the head; resolves whether it rotated. The log calls it
   * only when every entry is synced.
   */
  rotate?(options: { ifLargerThan: number }): Promise<boolean>;
  /**
   * The two slots of the sealed high-water mark as last written (null: never written or
   * unreadable). Optional: a store without it keeps no mark, and a log that requires one refuses it.
   */
  readMark?(): Promise<[string | null, string | null]>;
  /** Durably writes one slot in place (the other keeps the previous mark, so a torn write falls back to it). */
  writeMark?(mark: AuditMarkWrite): Promise<void>;
  /** Releases files / connections; the store may be opened again. */
  close(): Promise<void>;
}

/** The entry with its fields in the upstream JSONL order (PROTOCOL.md §3), metadata only when present. */
export function orderEntryFields(e: SignedAuditEntry): SignedAuditEntry {
  return {
    seq: e.seq,
    timestamp: e.timestamp,
    action: e.action,
    agentDID: e.agentDID,
    grantId: e.grantId,
    scopes: e.scopes,
    result: e.result,
    ...(e.metadata !== undefined ? { metadata: e.metadata } : {}),
    prevHash: e.prevHash,
    hash: e.hash,
    signature: e.signature,
  };
}

/** The head position an entry leaves behind. */
export function headOf(e: Pick<SignedAuditEntry, 'seq' | 'hash' | 'timestamp'>): AuditHead {
  return { seq: e.seq, hash: e.hash, timestamp: e.timestamp };
}

/** Checks a meta name: short, printable, usable as a key in every backend. */
export function checkMetaName(name: unknown): string {
  if (typeof name !== 'string' || !/^[\w.:-]{1,128}$/.test(name)) {
    throw new TypeError(`Meta name must be 1-128 characters of [A-Za-z0-9_.:-], got ${JSON.stringify(String(name))}`);
  }
  return name;
}
