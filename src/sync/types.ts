import type { SignedAuditEntry } from '../audit/types.js';
import type { DeviceCredential } from '../device/proof.js';

/** What the sync client needs from an audit log (the library's log satisfies it). */
export interface SyncableAuditLog {
  /** Entries from `fromSeq` on, in order, at most `limit`. */
  read(options: { fromSeq: number; limit?: number }): AsyncIterable<SignedAuditEntry>;
  /** The last entry; `hash` is needed to sign device proofs (sync with `bundle`). */
  head(): Promise<{ seq: number; hash?: string } | null>;
  /** How many entries the authority has not acknowledged yet; they end at the head. */
  unsyncedCount(): Promise<number>;
  /** Records that every entry up to `seq` is held by the authority. */
  markSynced(seq: number): Promise<void>;
  /** Where the authority's revocation answer is kept (`REVOCATION_META`), so guards on this log refuse afterwards. */
  setMeta?(name: string, value: unknown): Promise<void>;
}

/** Progress of a sync, reported after each acknowledged batch. */
export interface SyncProgress {
  /** Entries acknowledged so far in this call. */
  synced: number;
  /** Entries that were unsynced when the call started. */
  total: number;
}

/** One problem reported by the sync: per entry (`seq`) or per request. */
export interface SyncError {
  /** The entry the authority refused; absent for a request-level failure. */
  seq?: number;
  /** The authority's error code, or the client's (`NETWORK_ERROR`, `INCOMPLETE_ACK`, …). */
  code: string;
  /** Human-readable detail. */
  message: string;
  /** The HTTP status of the answer, when there was one. */
  status?: number;
}

/** Options of `syncAuditLog`: give `apiKey` (a backend) or `bundle` (a device: signed device proofs). */
export interface SyncOptions {
  /** The authority's base URL or the bundle's full `syncEndpoint` (default: `bundle.syncEndpoint`). */
  endpoint?: string;
  /** The developer's API key; without it, `bundle` signs each request with a device proof. */
  apiKey?: string;
  /** Default: `bundle.bundleId`. */
  bundleId?: string;
  /** The device's bundle: its current audit private key signs `OC-Device-Proof` headers when no `apiKey` is given. */
  bundle?: DeviceCredential & { syncEndpoint?: string };
  /** Sent with each upload; the authority refuses it (`DEVICE_MISMATCH`) if the bundle was issued to another device. */
  deviceId?: string;
  /** Entries per request (default 100, at most 1000 — the server's limit). */
  batchSize?: number;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: typeof globalThis.fetch;
  /** Aborts the sync. */
  signal?: AbortSignal;
  /** Called after each batch that advanced the synced marker. */
  onProgress?: (progress: SyncProgress) => void;
  /** Back-off before each retry of a failed batch (default 200, 400, 800 ms). */
  retryDelaysMs?: readonly number[];
  /**
   * Ask `/revocation-status` when no upload answer said (default: only after an upload). With
   * nothing pending the sync makes no request at all unless this is `true`; `false` never asks.
   */
  checkRevocation?: boolean;
}

/** What a sync did and what the authority said. */
export interface SyncResult {
  /** Entries whose synced marker advanced in this call. */
  syncedCount: number;
  /** Entries the authority reported as stored. */
  accepted: number;
  /** Entries the authority reported as refused. */
  rejected: number;
  /** True when `errors` is not empty. */
  hasErrors: boolean;
  /** Every problem met; the sync stops at the first batch that fails. */
  errors: SyncError[];
  /** `'unknown'` when no answer from the authority said either way (always, with nothing pending and no `checkRevocation`). */
  revocationStatus: 'valid' | 'revoked' | 'unknown';
  /** When the grant was revoked, if the authority said. */
  revokedAt: string | null;
  /** A refreshed bundle when the authority sent one. */
  newBundle: unknown;
  /** Acknowledged entries the authority stored with flags (`clockAnomaly`, `afterRevocation`, …; PROTOCOL.md §5). */
  flagged: { seq: number; flags: string[] }[];
  /** Flags of the bundle as a whole the authority reported (`TRAIL_TRUNCATED`). */
  bundleFlags: string[];
}
