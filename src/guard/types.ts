import type { AuditEntry, SignedAuditEntry } from '../audit/types.js';
import type { JWKSSnapshot } from '../verifier/snapshot.js';
import type { OfflineVerifier, VerifiedGrant } from '../verifier/verify.js';
import type { GrantLimit } from '../verifier/limits.js';
import type { LimitUsage } from './limits/ledger.js';

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
  /** Reads the trail back from its first entry; needed (the library's log has it) when the grant has limits, whose use it counts. */
  read?(): AsyncIterable<SignedAuditEntry>;
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
  /**
   * Enforces the grant's limits: pass `enforceLimits`. Without it (so apps whose grants have
   * none do not ship it) every call a limit covers is refused with `LIMITS_UNENFORCED`.
   */
  limits?: (log: GuardAuditLog, limits: readonly GrantLimit[] | null) => Promise<LimitEnforcer>;
}

/** Counts a grant's limit use for the guard; `enforceLimits` makes the library's. */
export interface LimitEnforcer {
  /** Checks a call against the limits at `at` and counts its use at once, synchronously (throws `LIMIT_EXCEEDED`, or a TypeError for an argument holding one of `secrets`). */
  take(scopes: readonly string[], args: Record<string, unknown> | undefined, at: number, secrets: readonly string[]): LimitUse;
  /** Every limit's standing at `at`. */
  usage(at: number): LimitUsage[];
}

/** One call's counted use of the limits. */
export interface LimitUse {
  /** The arguments the limits read, as the entry records them (`metadata.limitArgs`). */
  args: Record<string, unknown> | undefined;
  /** Moves the use to its entry's time (Unix ms). */
  settle(at: number): void;
  /** Takes the use back: the call did not run. */
  release(): void;
}

/** Options of {@link AgentGuard.run}. */
export interface RunOptions {
  /** JSON metadata for the audit entry (kept within the entry rules); refused if it holds the grant token or a private key. */
  metadata?: Record<string, unknown>;
  /**
   * The tool's arguments, for the grant's limits: a budget sums one of them, a bounds limit
   * checks one. The values the limits read go into the entry's metadata (`limitArgs`).
   */
  args?: Record<string, unknown>;
}

/** Checks and records tool calls for one bundle; made by {@link createAgentGuard}. */
export interface AgentGuard {
  /** Verifies the grant, the scopes and the limits for `action`, appends the outcome, returns the grant. */
  authorize(action: string, requiredScopes: string[], options?: RunOptions): Promise<VerifiedGrant>;
  /** authorize → run `fn` → append success or execution_error; failures rethrown typed. */
  run<T>(action: string, requiredScopes: string[], fn: (grant: VerifiedGrant) => T | Promise<T>, options?: RunOptions): Promise<T>;
  /** A function that runs `tool` through `run` on every call. */
  wrap<A extends unknown[], R>(tool: (...args: A) => R, options: { requiredScopes: string[]; action?: string }): (...args: A) => Promise<Awaited<R>>;
  /** The guard's notion of now: the clock, floored at the last audit entry's time. */
  now(): Promise<number>;
  /** Where each of the grant's limits stands now (use, remainder, when its window frees), for a UI; [] without limits. */
  usage(): Promise<LimitUsage[]>;
}
