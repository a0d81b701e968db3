import { OfflineConsentError, OfflineVerificationError, TokenExpiredError, type ErrorCode } from '../errors.js';

/**
 * What an adapter throws when the grant token fails verification, as `@grantex/gemma`'s
 * adapters do (`GrantexAuthError`, code `AUTH_FAILED`). The verifier's own error is the
 * `cause`, and its code is `reason` (for instance `TOKEN_EXPIRED`).
 */
export class AuthFailedError extends OfflineConsentError {
  /** The verifier error's code, when it had one. */
  readonly reason: ErrorCode | undefined;
  constructor(cause: unknown) {
    super(`Authorization failed: ${cause instanceof Error ? cause.message : String(cause)}`, 'AUTH_FAILED', { cause });
    this.name = 'AuthFailedError';
    this.reason = (cause as { code?: ErrorCode } | null)?.code;
  }
}

/** Whether `error` came out of token verification: the library's verifier errors, or whatever a given verifier threw. */
export function isVerifierFailure(error: unknown, thrownByVerifier: WeakSet<object>): boolean {
  return error instanceof OfflineVerificationError || error instanceof TokenExpiredError || (typeof error === 'object' && error !== null && thrownByVerifier.has(error));
}
