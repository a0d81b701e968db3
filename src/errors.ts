/** Every code this library throws, as a string union so callers can switch on it. */
export type ErrorCode =
  | 'JWKS_SNAPSHOT_EXPIRED'
  | 'MALFORMED_TOKEN'
  | 'BLOCKED_ALGORITHM'
  | 'MISSING_KID'
  | 'KID_NOT_FOUND'
  | 'VERIFICATION_FAILED'
  | 'INVALID_CLAIM'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'FUTURE_IAT'
  | 'SCOPE_VIOLATION'
  | 'DELEGATION_DEPTH_EXCEEDED'
  | 'BUNDLE_TAMPERED'
  | 'HASH_CHAIN_BROKEN'
  | 'INVALID_KEY'
  | 'WEBCRYPTO_UNAVAILABLE'
  | 'UNSUPPORTED_ALGORITHM'
  | 'INVALID_AUDIT_ENTRY'
  | 'AUDIT_WRITE_FAILED'
  | 'AUDIT_LOG_CLOSED'
  | 'AUDIT_LOG_LOCKED'
  | 'AUDIT_STORE_CORRUPT'
  | 'AUDIT_STORE_UNAVAILABLE'
  | 'AUDIT_LOG_TRUNCATED'
  | 'AUDIT_MARK_MISSING'
  | 'INVALID_SYNC_MARK'
  | 'OFFLINE_EXPIRED'
  | 'GRANT_REVOKED'
  | 'EXECUTION_ERROR'
  | 'INVALID_BUNDLE'
  | 'UNSUPPORTED_BUNDLE_FORMAT'
  | 'UNSUPPORTED_KDF'
  | 'BUNDLE_NOT_FOUND'
  | 'BUNDLE_WRITE_FAILED'
  | 'BUNDLE_KEY_MISMATCH'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'SYNC_REQUIRED'
  | 'REFRESH_OUTCOME_UNKNOWN'
  | 'HEAD_MISMATCH'
  | 'BUNDLE_REVOKED'
  | 'BUNDLE_FORKED'
  | 'REENROLL_REQUIRED'
  | 'INVALID_DEVICE_PROOF'
  | 'ENROLLMENT_NOT_FOUND'
  | 'ENROLLMENT_EXPIRED'
  | 'ENROLLMENT_CANCELLED'
  | 'ENROLLMENT_REUSED'
  | 'INVALID_TOOL'
  | 'AUTH_FAILED'
  | 'LIMIT_EXCEEDED'
  | 'LIMIT_USAGE_UNKNOWN'
  | 'LIMITS_UNENFORCED'
  | (string & {});

/** Base class of every error the library throws; `code` is stable across releases. */
export class OfflineConsentError extends Error {
  /** The machine-readable reason, one of {@link ErrorCode}; switch on this, not on `message`. */
  readonly code: ErrorCode;
  constructor(message: string, code: ErrorCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OfflineConsentError';
    this.code = code;
  }
}

/** Upstream (`@grantex/gemma`) name of the base class, kept for drop-in use. */
export { OfflineConsentError as GrantexAuthError };

/** The grant token failed an offline check (signature, key, claims, snapshot). */
export class OfflineVerificationError extends OfflineConsentError {
  constructor(message: string, code: ErrorCode = 'VERIFICATION_FAILED', options?: { cause?: unknown }) {
    super(message, code, options);
    this.name = 'OfflineVerificationError';
  }
}

/** The token's `exp` (plus clock skew) is in the past. */
export class TokenExpiredError extends OfflineConsentError {
  /** The token's `exp`, without the clock skew. */
  readonly expiredAt: Date;
  constructor(expiredAt: Date) {
    super(`Token expired at ${expiredAt.toISOString()}`, 'TOKEN_EXPIRED');
    this.name = 'TokenExpiredError';
    this.expiredAt = expiredAt;
  }
}

/** The grant lacks at least one required scope. */
export class ScopeViolationError extends OfflineConsentError {
  /** The scopes the call required. */
  readonly requiredScopes: string[];
  /** The scopes the grant holds. */
  readonly grantScopes: string[];
  /** The required scopes the grant lacks, in `requiredScopes` order. */
  readonly missingScopes: string[];
  constructor(requiredScopes: string[], grantScopes: string[]) {
    const missingScopes = requiredScopes.filter((s) => !grantScopes.includes(s));
    super(
      `Scope violation: required [${requiredScopes.join(', ')}] but grant has [${grantScopes.join(', ')}]`,
      'SCOPE_VIOLATION',
    );
    this.name = 'ScopeViolationError';
    this.requiredScopes = [...requiredScopes];
    this.grantScopes = [...grantScopes];
    this.missingScopes = missingScopes;
  }
}

/** A sealed bundle failed authentication: wrong key, flipped bits, truncation. */
export class BundleTamperedError extends OfflineConsentError {
  constructor(message = 'Consent bundle failed its integrity check (wrong key or tampered bytes)', options?: { cause?: unknown }) {
    super(message, 'BUNDLE_TAMPERED', options);
    this.name = 'BundleTamperedError';
  }
}

/**
 * Why a chain check failed at `brokenAt`; `malformed`: a stored record is not an entry at all (log readers),
 * or an entry breaks the entry rules (a '|' or ',' that makes its hash input ambiguous, a timestamp that is not RFC 3339 UTC).
 */
export type ChainBreakReason = 'hash' | 'prevHash' | 'seq' | 'signature' | 'malformed';

/** The audit hash chain does not verify; `brokenAt` is the index of the first bad entry. */
export class HashChainError extends OfflineConsentError {
  /** 0-based index of the first bad entry. */
  readonly brokenAt: number;
  /** What failed there, when known. */
  readonly reason: ChainBreakReason | undefined;
  constructor(brokenAt: number, reason?: ChainBreakReason) {
    super(`Hash chain broken at entry ${brokenAt}${reason ? ` (${reason})` : ''}`, 'HASH_CHAIN_BROKEN');
    this.name = 'HashChainError';
    this.brokenAt = brokenAt;
    this.reason = reason;
  }
}

/**
 * The audit log could not do what was asked: a write failed (`AUDIT_WRITE_FAILED`, the
 * entries were not added), the log is closed (`AUDIT_LOG_CLOSED`) or already open elsewhere
 * in this process (`AUDIT_LOG_LOCKED`), a store's side record (head or meta) is unreadable
 * (`AUDIT_STORE_CORRUPT`), the storage refuses to open for writing (`AUDIT_STORE_UNAVAILABLE`:
 * read-only, no permission), `markSynced` got a seq past the head (`INVALID_SYNC_MARK`), the
 * log is behind its high-water mark (`AUDIT_LOG_TRUNCATED`, see `AuditLogTruncatedError`) or
 * has none though its bundle requires one (`AUDIT_MARK_MISSING`).
 */
export class AuditLogError extends OfflineConsentError {
  constructor(message: string, code: ErrorCode, options?: { cause?: unknown }) {
    super(message, code, options);
    this.name = 'AuditLogError';
  }
}

/** A chain position as the truncation error names it. */
export interface TruncationHead {
  /** The entry's sequence number. */
  seq: number;
  /** The entry's hash (hex). */
  hash: string;
  /** The entry's timestamp (RFC 3339 UTC). */
  timestamp: string;
}

/**
 * `AUDIT_LOG_TRUNCATED`: the log's sealed high-water mark names a head the log no longer
 * reaches (entries were cut from its end, or replaced). Every call of the log fails with it
 * (so a guard refuses) until the truncation is accepted (`acceptTruncation`, or
 * `offline-consent audit accept-truncation`), which appends a signed entry naming both heads.
 */
export class AuditLogTruncatedError extends AuditLogError {
  /** The head the mark recorded as durable. */
  readonly markHead: TruncationHead;
  /** The head the log has now (null: empty). */
  readonly logHead: TruncationHead | null;
  constructor(markHead: TruncationHead, logHead: TruncationHead | null) {
    const at = logHead ? `seq ${logHead.seq}` : 'no entry';
    super(
      `Audit log truncated: its high-water mark is at seq ${markHead.seq} (${markHead.hash.slice(0, 12)}…) but the log reaches ${at}${logHead ? ` (${logHead.hash.slice(0, 12)}…)` : ''}; accept it with audit accept-truncation`,
      'AUDIT_LOG_TRUNCATED',
    );
    this.name = 'AuditLogTruncatedError';
    this.markHead = markHead;
    this.logHead = logHead;
  }
}

/**
 * An entry given to `append` is not loggable (wrong field type, metadata JSON would alter
 * or reject). A `TypeError`, as JavaScript callers expect, with a stable `code`; nothing
 * was written.
 */
export class InvalidAuditEntryError extends TypeError {
  /** Always `INVALID_AUDIT_ENTRY` (this class is a `TypeError`, not an {@link OfflineConsentError}). */
  readonly code = 'INVALID_AUDIT_ENTRY' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidAuditEntryError';
  }
}

/** The bundle's hard offline deadline (`offlineExpiresAt`) has passed. */
export class OfflineExpiredError extends OfflineConsentError {
  /** The bundle's deadline as the bundle states it. */
  readonly offlineExpiresAt: string;
  constructor(offlineExpiresAt: string) {
    super(`The consent bundle's offline window ended at ${offlineExpiresAt}; go online and refresh it`, 'OFFLINE_EXPIRED');
    this.name = 'OfflineExpiredError';
    this.offlineExpiresAt = offlineExpiresAt;
  }
}

/** The authority reported the grant revoked; this log refuses every later action. */
export class GrantRevokedError extends OfflineConsentError {
  /** When the authority says the grant was revoked, or null if it did not say. */
  readonly revokedAt: string | null;
  constructor(revokedAt: string | null) {
    super(`The grant was revoked${revokedAt ? ` at ${revokedAt}` : ''}`, 'GRANT_REVOKED');
    this.name = 'GrantRevokedError';
    this.revokedAt = revokedAt;
  }
}

/** The guarded tool itself threw; `cause` holds what it threw. */
export class ToolExecutionError extends OfflineConsentError {
  /** The audited action whose tool threw. */
  readonly action: string;
  constructor(action: string, cause: unknown) {
    super(`Tool "${action}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, 'EXECUTION_ERROR', { cause });
    this.name = 'ToolExecutionError';
    this.action = action;
  }
}

/** A value is not a valid consent bundle; `field` names the first bad field (e.g. `jwksSnapshot.keys[0].kid`). */
export class InvalidBundleError extends OfflineConsentError {
  /** Path of the first bad field. */
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`Invalid consent bundle: ${field} ${problem}`, 'INVALID_BUNDLE');
    this.name = 'InvalidBundleError';
    this.field = field;
  }
}

/** The bytes are no bundle layout this library knows (or a newer version of one). */
export class UnsupportedBundleFormatError extends OfflineConsentError {
  constructor(message: string) {
    super(message, 'UNSUPPORTED_BUNDLE_FORMAT');
    this.name = 'UnsupportedBundleFormatError';
  }
}

/** The bundle's key derivation is not available here (scrypt: Web Crypto has none; pass `scrypt`). */
export class UnsupportedKdfError extends OfflineConsentError {
  constructor(message: string) {
    super(message, 'UNSUPPORTED_KDF');
    this.name = 'UnsupportedKdfError';
  }
}

/**
 * The key is of the wrong kind for the bundle's layout (a passphrase for a raw-key file, a
 * CryptoKey for a passphrase file), refused before any key derivation runs.
 */
export class BundleKeyMismatchError extends OfflineConsentError {
  constructor(message: string) {
    super(message, 'BUNDLE_KEY_MISMATCH');
    this.name = 'BundleKeyMismatchError';
  }
}

/** No bundle is stored at that path or name. */
export class BundleNotFoundError extends OfflineConsentError {
  constructor(target: string) {
    super(`No consent bundle at ${target}`, 'BUNDLE_NOT_FOUND');
    this.name = 'BundleNotFoundError';
  }
}

/** Storing or deleting a sealed bundle failed (disk full, read-only, quota); the bundle stored before is untouched. */
export class BundleWriteError extends OfflineConsentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'BUNDLE_WRITE_FAILED', options);
    this.name = 'BundleWriteError';
  }
}

/** The authority refused a request or could not be reached (`NETWORK_ERROR`, `TIMEOUT`). */
export class AuthorityError extends OfflineConsentError {
  /** The HTTP status the authority answered with; undefined when no answer came or the check was local. */
  readonly status: number | undefined;
  /** The authority's request id (body `requestId`, else the `x-request-id` header), to find the call in its logs. */
  readonly requestId: string | undefined;
  constructor(message: string, code: ErrorCode, details: { status?: number; requestId?: string; cause?: unknown } = {}) {
    super(message, code, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'AuthorityError';
    this.status = details.status;
    this.requestId = details.requestId;
  }
}
