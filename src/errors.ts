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
  | (string & {});

/** Base class of every error the library throws; `code` is stable across releases. */
export class OfflineConsentError extends Error {
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
  readonly expiredAt: Date;
  constructor(expiredAt: Date) {
    super(`Token expired at ${expiredAt.toISOString()}`, 'TOKEN_EXPIRED');
    this.name = 'TokenExpiredError';
    this.expiredAt = expiredAt;
  }
}

/** The grant lacks at least one required scope. */
export class ScopeViolationError extends OfflineConsentError {
  readonly requiredScopes: string[];
  readonly grantScopes: string[];
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

/** Why a chain check failed at `brokenAt`. */
export type ChainBreakReason = 'hash' | 'prevHash' | 'seq' | 'signature';

/** The audit hash chain does not verify; `brokenAt` is the index of the first bad entry. */
export class HashChainError extends OfflineConsentError {
  readonly brokenAt: number;
  readonly reason: ChainBreakReason | undefined;
  constructor(brokenAt: number, reason?: ChainBreakReason) {
    super(`Hash chain broken at entry ${brokenAt}${reason ? ` (${reason})` : ''}`, 'HASH_CHAIN_BROKEN');
    this.name = 'HashChainError';
    this.brokenAt = brokenAt;
    this.reason = reason;
  }
}
