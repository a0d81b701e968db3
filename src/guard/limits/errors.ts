import { OfflineConsentError } from '../../errors.js';
import type { GrantLimit } from '../../verifier/limits.js';
import type { LimitBreach } from './ledger.js';

/** A call would break a limit of the grant (a rate, total, budget or argument bound); it did not run. */
export class LimitExceededError extends OfflineConsentError {
  /** The limit, as the grant states it. */
  readonly limit: GrantLimit;
  /** Its position in `VerifiedGrant.limits`. */
  readonly index: number;
  /** Counted use (calls, or the budget's sum); 0 for bounds. */
  readonly used: number;
  /** What is left; null for bounds. */
  readonly remaining: number | null;
  /** When the window frees enough for this call (ISO 8601); null if it never will. */
  readonly resetAt: string | null;
  constructor(breach: LimitBreach) {
    super(`Limit exceeded: ${breach.reason}${breach.resetAt ? `; frees at ${breach.resetAt}` : ''}`, 'LIMIT_EXCEEDED');
    this.name = 'LimitExceededError';
    this.limit = breach.limit;
    this.index = breach.index;
    this.used = breach.used;
    this.remaining = breach.remaining;
    this.resetAt = breach.resetAt;
  }
}
