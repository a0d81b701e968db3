import { decodeJwt } from 'jose';
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
  const exp = decodeJwt(grantToken).exp;
  const bundle: GuardBundle = options.bundle ?? {
    bundleId: 'unknown',
    grantToken,
    jwksSnapshot: { keys: [], fetchedAt: '', validUntil: '' }, // unused: the given verifier checks the token
    offlineExpiresAt: typeof exp === 'number' ? new Date(exp * 1000).toISOString() : '',
  };
  return createAgentGuard({ bundle: { ...bundle, grantToken }, auditLog, verifier, ...(options.clock ? { clock: options.clock } : {}) });
}
