import { decodeJwt } from 'jose';
import { OfflineConsentError } from '../errors.js';
import { createAgentGuard } from '../guard/guard.js';
import type { AgentGuard, GuardAuditLog, GuardBundle } from '../guard/types.js';
import type { OfflineVerifier } from '../verifier/verify.js';

/** Adapter options: a ready guard, or the upstream SDK's option names. */
export type AdapterOptions = {
  requiredScopes: string[];
  /** Audit action name (default: the tool's name). */
  action?: string;
} & (
  | { guard: AgentGuard }
  | {
      /** Upstream form. `bundle` adds the hard offline deadline; without it the token's own `exp` is the deadline. */
      verifier: OfflineVerifier;
      auditLog: GuardAuditLog;
      grantToken: string;
      bundle?: GuardBundle;
      /** The guard's clock (default `Date.now`): give the verifier's clock if it has its own. */
      clock?: () => number;
    }
);

/** The guard the adapter runs every call through; built once per wrapped tool. */
export function guardFromOptions(options: AdapterOptions): AgentGuard {
  if (!options || !Array.isArray(options.requiredScopes)) throw new TypeError('requiredScopes must be an array of scope strings');
  if ('guard' in options) return options.guard;
  const { verifier, auditLog, grantToken } = options;
  if (!verifier || !auditLog || typeof grantToken !== 'string') throw new TypeError('Pass { guard } or the upstream { verifier, auditLog, grantToken }');
  const bundle: GuardBundle = options.bundle ?? {
    bundleId: 'unknown', // the guard never reads it; the sync client takes its own bundleId
    grantToken,
    jwksSnapshot: { keys: [], fetchedAt: '', validUntil: '' }, // unused: the given verifier checks the token
    offlineExpiresAt: tokenDeadline(grantToken),
  };
  return createAgentGuard({ bundle: { ...bundle, grantToken }, auditLog, verifier, ...(options.clock ? { clock: options.clock } : {}) });
}

/** Without a bundle the token's own `exp` is the offline deadline; no usable `exp` means no deadline, which is refused. */
function tokenDeadline(grantToken: string): string {
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
  return deadline.toISOString();
}
