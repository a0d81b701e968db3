import type { AuditEntry, SignedAuditEntry } from '../audit/types.js';
import type { JWKSSnapshot } from '../verifier/snapshot.js';
import type { OfflineVerifier, VerifiedGrant } from '../verifier/verify.js';

/** The parts of a consent bundle the guard reads. */
export interface GuardBundle {
  bundleId: string;
  grantToken: string;
  jwksSnapshot: JWKSSnapshot;
  offlineExpiresAt: string;
}

/** What the guard needs from an audit log (the library's log satisfies it). */
export interface GuardAuditLog {
  append(entry: AuditEntry): Promise<SignedAuditEntry>;
  head(): Promise<{ seq: number; hash: string; timestamp: string } | null>;
  /** Reads durable meta values; a sync keeps the revocation under `REVOCATION_META`. */
  getMeta<T = unknown>(name: string): Promise<T | undefined>;
}

export interface AgentGuardOptions {
  bundle: GuardBundle;
  auditLog: GuardAuditLog;
  /** Defaults to a verifier over the bundle's snapshot, on the guard's clock. */
  verifier?: OfflineVerifier;
  /** Unix ms (default `Date.now`); never trusted below the last audit entry's time. */
  clock?: () => number;
}

export interface RunOptions {
  metadata?: Record<string, unknown>;
}

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
