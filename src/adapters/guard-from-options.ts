import { OfflineConsentError, OfflineExpiredError, OfflineVerificationError, TokenExpiredError } from '../errors.js';
import { createAgentGuard } from '../guard/guard.js';
import { decodeJwt } from '../guard/identity.js';
import { LIMITS_CLAIM, readLimits } from '../verifier/limits.js';
import type { AgentGuard, GuardBundle } from '../guard/types.js';
import type { OfflineVerifier } from '../verifier/verify.js';
import { AuthFailedError, isVerifierFailure } from './auth-failed.js';
import { guardLogFor, type UpstreamAuditLog } from './upstream-log.js';

/** Adapter options: a ready guard, or the upstream SDK's option names. */
export type AdapterOptions = {
  /** Scopes every call of the tool needs. */
  requiredScopes: string[];
  /** Audit action name (default `tool:<the tool's name>`, as upstream writes it). */
  action?: string;
} & (
  | { guard: AgentGuard }
  | {
      /** Upstream form. `bundle` adds the hard offline deadline; without it the token's own `exp` is the deadline. */
      verifier: OfflineVerifier;
      /** The library's log, upstream's, or any log with `append` (and `entries`, for the clock floor). */
      auditLog: UpstreamAuditLog;
      /** The grant token checked before every call. */
      grantToken: string;
      /** The consent bundle, for its hard offline deadline. */
      bundle?: GuardBundle;
      /** The guard's clock (default `Date.now`): give the verifier's clock if it has its own. */
      clock?: () => number;
    }
);

/** The guard an adapter runs every call through, and what it makes of the guard's refusals. */
export interface AdapterGuard {
  guard: AgentGuard;
  /** Upstream's outcomes: a token that fails verification (or, without a bundle, is past its `exp`) is `AUTH_FAILED`. */
  refusal(error: unknown): unknown;
}

/** Builds the guard once per wrapped tool; bad options throw here, at wrap time. */
export function guardFromOptions(options: AdapterOptions): AdapterGuard {
  if (!options || !Array.isArray(options.requiredScopes)) throw new TypeError('requiredScopes must be an array of scope strings');
  const thrownByVerifier = new WeakSet<object>();
  const refusal = (error: unknown) => (isVerifierFailure(error, thrownByVerifier) ? new AuthFailedError(error) : error);
  if ('guard' in options) return { guard: options.guard, refusal };
  const { verifier, auditLog, grantToken } = options;
  if (!verifier || typeof verifier.verify !== 'function' || !auditLog || typeof grantToken !== 'string') {
    throw new TypeError('Pass { guard } or the upstream { verifier, auditLog, grantToken }');
  }
  const log = guardLogFor(auditLog);
  const expiry = options.bundle ? undefined : tokenDeadline(grantToken);
  const bundle: GuardBundle = options.bundle ?? {
    bundleId: 'unknown', // the guard never reads it; the sync client takes its own bundleId
    grantToken,
    jwksSnapshot: { keys: [], fetchedAt: '', validUntil: '' }, // unused: the given verifier checks the token
    offlineExpiresAt: expiry!.toISOString(),
  };
  const marked: OfflineVerifier = {
    verify: async (token) => {
      try {
        const grant = await verifier.verify(token);
        // Upstream's verifier knows no limits: read them from the token it has just verified.
        return grant.limits ? grant : { ...grant, limits: tokenLimits(token, grant.scopes) };
      } catch (error) {
        if (typeof error === 'object' && error !== null) thrownByVerifier.add(error);
        throw error;
      }
    },
  };
  const guard = createAgentGuard({ bundle: { ...bundle, grantToken }, auditLog: log, verifier: marked, ...(options.clock ? { clock: options.clock } : {}) });
  // Without a bundle the deadline is the token's own exp (floored clock and all): past it, the caller sees the token expiry upstream reports.
  return { guard, refusal: (error) => refusal(expiry && error instanceof OfflineExpiredError ? new TokenExpiredError(expiry) : error) };
}

/** The limits claim of a token a limit-unaware verifier has verified, read as ours would (`INVALID_CLAIM` if it cannot). */
function tokenLimits(token: string, scopes: readonly string[]) {
  try {
    return readLimits(decodeJwt(token)[LIMITS_CLAIM], scopes);
  } catch (reason) {
    throw new OfflineVerificationError(String(reason), 'INVALID_CLAIM');
  }
}

/** Without a bundle the token's own `exp` is the offline deadline; no usable `exp` means no deadline, which is refused. */
function tokenDeadline(grantToken: string): Date {
  let exp: unknown;
  try {
    exp = decodeJwt(grantToken).exp;
  } catch (cause) {
    throw new OfflineConsentError('The grant token cannot be decoded', 'INVALID_BUNDLE', { cause });
  }
  const deadline = typeof exp === 'number' ? new Date(exp * 1000) : null;
  if (!deadline || Number.isNaN(deadline.getTime())) {
    throw new OfflineConsentError('The grant token has no usable exp; pass `bundle` so the guard has an offline deadline', 'INVALID_BUNDLE');
  }
  return deadline;
}
