import { OfflineConsentError, OfflineVerificationError } from '../../errors.js';
import { parseLimits, type GrantLimit } from '../../verifier/limits.js';
import type { GuardAuditLog } from '../types.js';
import { createLimitLedger, type LimitLedger } from './ledger.js';

/**
 * A grant's limit usage, derived from the audit trail itself: the ledger the authority will
 * see, so restarting the process resets nothing. Fails closed (`LIMIT_USAGE_UNKNOWN`) when the
 * trail cannot be read from its first entry.
 */
export async function loadLedger(log: GuardAuditLog, claimed: readonly GrantLimit[] | null): Promise<LimitLedger> {
  let limits: readonly GrantLimit[];
  try {
    if (!claimed) throw 'The verifier reports no limits for the grant (a custom verifier must return VerifiedGrant.limits)';
    limits = parseLimits(claimed, claimed.map((l) => l.scope)); // every field, before any is relied on (the verifier checked the scopes)
  } catch (reason) {
    throw new OfflineVerificationError(String(reason), 'INVALID_CLAIM');
  }
  const ledger = createLimitLedger(limits);
  let seq = 0;
  if (!log.read) throw new OfflineConsentError('This grant has limits, and its audit log cannot be read back to count their use', 'LIMIT_USAGE_UNKNOWN');
  for await (const entry of log.read()) {
    if (entry.seq !== ++seq) {
      throw new OfflineConsentError(`The trail before seq ${entry.seq} was rotated away, so the use of this grant's limits cannot be counted; a bundle with limits needs a log that keeps its trail (rotateOnSize: false)`, 'LIMIT_USAGE_UNKNOWN');
    }
    ledger.record(entry);
  }
  return ledger;
}
