import type { GrantLimit } from '../../verifier/limits.js';
import type { GuardAuditLog, LimitEnforcer } from '../types.js';
import { LimitExceededError } from './errors.js';
import { loadLedger } from './load.js';
import { assertNoSecrets } from '../secrets.js';

/**
 * The library's limit enforcer, for `createAgentGuard({ limits: enforceLimits })`: counts each
 * limit's use from the audit trail (so a restart resets nothing), refuses a call that would
 * break one with {@link LimitExceededError}, and reserves a call's use at once, so concurrent
 * calls cannot overspend. Without it the guard refuses every call a limit covers.
 */
export async function enforceLimits(log: GuardAuditLog, claimed: readonly GrantLimit[] | null): Promise<LimitEnforcer> {
  const ledger = await loadLedger(log, claimed);
  const limits = claimed!;
  return {
    take(scopes, args, at, secrets) {
      let picked: Record<string, unknown> | undefined;
      for (const l of limits) {
        const name = l.kind === 'budget' ? l.sum : l.kind === 'bounds' ? l.arg : '';
        const v = args?.[name];
        if (name && scopes.includes(l.scope) && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')) (picked ??= {})[name] = v;
      }
      if (picked) assertNoSecrets(picked, secrets);
      const breach = ledger.breach(scopes, picked, at);
      if (breach) throw new LimitExceededError(breach);
      const reservation = ledger.reserve(scopes, picked); // counted in every window until its entry is written
      return { args: picked, settle: (when) => ledger.settle(reservation, when), release: () => ledger.release(reservation) };
    },
    usage: ledger.usage,
  };
}
