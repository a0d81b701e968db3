// The audit log's options and interface, apart from its implementation (log.ts).
import type { AuditDurability, AuditHead, AuditReadRange, AuditRecovery, AuditStore } from './audit-store.js';
import type { AuditKeySpan } from './key-spans.js';
import type { AuditSigningKey } from './signing-key.js';
import type { AuditEntry, SignedAuditEntry } from './types.js';

/** What the log takes from a consent bundle (`ConsentBundle` fits). */
export interface AuditLogBundle {
  /** Named in the high-water mark. */
  bundleId: string;
  /** The default `signingKey`. */
  offlineAuditKey: AuditSigningKey;
  /** The default `keySpans`. */
  auditKeySpans?: readonly AuditKeySpan[];
  /** The default `requireMark`. */
  hwmRequired?: boolean;
}

/** Who the `audit.truncation_accepted` entry speaks for: the bundle's agent and grant (`readGrantIdentity(bundle.grantToken)`). */
export interface TruncationAcceptance {
  /** The agent the entry is written for. */
  agentDID: string;
  /** The grant the entry is written under. */
  grantId: string;
}

/** The action of the entry that accepting a truncation appends. */
export const TRUNCATION_ACCEPTED_ACTION = 'audit.truncation_accepted';

/** Options of {@link createOfflineAuditLog}. */
export interface OfflineAuditLogOptions {
  /** The bundle's `offlineAuditKey`, JWKs, or a `CryptoKeyPair`; imported once. Default: `bundle.offlineAuditKey`. */
  signingKey?: AuditSigningKey;
  /**
   * The consent bundle: fills `signingKey`, `keySpans` and `requireMark` (from
   * `bundle.hwmRequired`) where they are not given, and names the bundle in the mark.
   */
  bundle?: AuditLogBundle;
  /**
   * Refuse a non-empty log that has no valid high-water mark (`AUDIT_MARK_MISSING`) instead
   * of adopting one. Apps pass `bundle.hwmRequired` (or give `bundle`): bundles created,
   * redeemed or sealed by this version carry it, so a deleted mark cannot hide a cut log;
   * logs of earlier releases and of `@grantex/gemma` (bundles without it) adopt a mark on
   * first open. Applies under `durability: 'fsync'` (the only mode that keeps a mark current).
   */
  requireMark?: boolean;
  /**
   * Opens a log that is behind its high-water mark (`AUDIT_LOG_TRUNCATED`): appends a signed
   * `audit.truncation_accepted` entry (metadata `{ markHead, logHead }`, so the authority sees
   * it) for this agent and grant, and rewrites the mark. Without a truncation it does nothing.
   * Needs `durability: 'fsync'`. The CLI: `offline-consent audit accept-truncation`.
   */
  acceptTruncation?: TruncationAcceptance;
  /**
   * `false` turns the high-water mark off entirely (nothing read, checked or written). For
   * benchmarks comparing the cost of the mark only: without it a cut log goes unnoticed.
   */
  mark?: boolean;
  /** Where entries live: `createMemoryAuditStore()`, a file store (node), an IndexedDB store (browser), or your own. */
  store: AuditStore;
  /** Rotate the live segment once it is fully synced and larger than this (default 50). */
  maxSizeMB?: number;
  /** Whether to rotate at all (default true). */
  rotateOnSize?: boolean;
  /** `'fsync'` (default): `append` resolves once the entry is on stable storage. `'none'`: once handed to the OS. */
  durability?: AuditDurability;
  /** Told about every repair made while opening (e.g. a torn last line cut off). */
  onRecover?: (recovery: AuditRecovery) => void;
  /** Clock for entry timestamps, Unix ms (default `Date.now`); timestamps never go backwards. */
  now?: () => number;
  /** Key spans to start from when the log has none recorded (e.g. `bundle.auditKeySpans`); recorded at open. */
  keySpans?: readonly AuditKeySpan[];
}

/** A signed, hash-chained, append-only audit log over an {@link AuditStore}; made by {@link createOfflineAuditLog}. */
export interface OfflineAuditLog {
  /** Signs, chains and durably stores an entry; entries are chained in call order. */
  append(entry: AuditEntry): Promise<SignedAuditEntry>;
  /** Every entry of the live segment (since the last rotation), in seq order. */
  entries(): Promise<SignedAuditEntry[]>;
  /** Live-segment entries from `fromSeq`, at most `limit`, streamed in bounded memory. */
  read(range?: AuditReadRange): AsyncIterable<SignedAuditEntry>;
  /** The last durable entry (it survives rotation), or null for an empty log. O(1). */
  head(): Promise<AuditHead | null>;
  /** Entries not yet acknowledged by the authority. O(1). */
  unsyncedCount(): Promise<number>;
  /** Records that the authority holds every entry up to `upToSeq`; may rotate the segment. */
  markSynced(upToSeq: number): Promise<void>;
  /** Checks hashes, links, seqs and signatures of the live segment; `HashChainError` at the first break. */
  verify(): Promise<{ valid: true; count: number }>;
  /** Which key signs which seqs: the recorded spans, else one open span from 1 with the log's own key. */
  keySpans(): Promise<AuditKeySpan[]>;
  /**
   * Changes the signing key, holding the log meanwhile (no entry is signed while `run` is
   * pending; appends wait). `run(head)` gives the new key; once it resolves, the open span
   * closes at `head.seq`, the new key's opens at `head.seq + 1`, the spans are stored and
   * every later entry is signed with it. If `run` rejects, nothing changes and its error propagates.
   */
  rekey(run: (head: AuditHead | null) => Promise<AuditSigningKey>): Promise<void>;
  /** A small durable JSON value kept beside the log. */
  getMeta<T = unknown>(name: string): Promise<T | undefined>;
  /** Durably stores such a value (`undefined` deletes it); a sync keeps the revocation under `REVOCATION_META`. */
  setMeta(name: string, value: unknown): Promise<void>;
  /** Waits for pending appends, then releases the store. */
  close(): Promise<void>;
}
