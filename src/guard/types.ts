import type { AuditEntry, SignedAuditEntry } from '../audit/types.js';
import type { JWKSSnapshot } from '../verifier/snapshot.js';
import type { OfflineVerifier, VerifiedGrant } from '../verifier/verify.js';

/** The parts of a consent bundle the guard reads. */
export interface GuardBundle {
  /** The bundle's id (the guard itself does not use it). */
  bundleId: string;
  /** The grant token checked before every call; its agent (`agt`) and grant id go on every entry. */
  grantToken: string;
  /** Keys for the default verifier. */
  jwksSnapshot: JWKSSnapshot;
  /** Hard offline deadline (ISO 8601); past it, or unparsable, every call is refused. */
  offlineExpiresAt: string;
}

/** What the guard needs from an audit log (the library's log satisfies it). */
export interface GuardAuditLog {
  /** Appends one entry: every call's outcome, allowed or refused. */
  append(entry: AuditEntry): Promise<SignedAuditEntry>;
  /** The last entry (null when empty); its timestamp floors the guard's clock. */
  head(): Promise<{ seq: number; hash: string; timestamp: string } | null>;
  /** Reads durable meta values; a sync keeps the revocation under `REVOCATION_META`. */
  getMeta<T = unknown>(name: string): Promise<T | undefined>;
}

/** Options of {@link createAgentGuard}. */
export interface AgentGuardOptions {
  /** The consent bundle (or the parts the guard reads). */
  bundle: GuardBundle;
  /** Where every outcome is appended, and the revocation record is read. */
  auditLog: GuardAuditLog;
  /** Defaults to a verifier over the bundle's snapshot, on the guard's clock. */
  verifier?: OfflineVerifier;
  /** Unix ms (default `Date.now`); never trusted below the last audit entry's time. */
  clock?: () => number;
}

/** Options of {@link AgentGuard.run}. */
export interface RunOptions {
  /** JSON metadata for the audit entry (kept within the entry rules); refused if it holds the grant token or a private key. */
  metadata?: Record<string, unknown>;
}

/** Checks and records tool calls for one bundle; made by {@link createAgentGuard}. */
export interface AgentGuard {
  /** Verifies the grant and the scopes for `action`, appends the outcome, returns the grant. */
  authorize(action: string, requiredScopes: string[]): Promise<VerifiedGrant>;
  /** authorize → run `fn` → append success or execution_error; failures rethrown typed. */
  run<T>(action: string, requiredScopes: string[], fn: (grant: VerifiedGrant) => T | Promise<T>, options?: RunOptions): Promise<T>;
  /** A function that runs `tool` through `run` on every call. */
  wrap<A extends unknown[], R>(tool: (...args: A) => R, options: { requiredScopes: string[]; action?: string }): (...args: A) => Promise<Awaited<R>>;
  /** The guard's notion of now: the clock, floored at the last audit entry's time. */
  now(): Promise<number>;
}
