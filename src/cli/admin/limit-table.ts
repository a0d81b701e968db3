import { describeLimit } from '../../authority/limits/describe-limit.js';
import type { LimitUsage } from '../../guard/limits/ledger.js';
import { formatTable } from './table.js';

/** A bundle's limits and their use (`GET /v1/consent-bundles/:id` `limits`) as a table for people. */
export function formatLimitUsage(usage: readonly LimitUsage[]): string {
  if (usage.length === 0) return 'limits  none';
  const rows = usage.map((u) => ({
    scope: u.limit.scope,
    kind: u.limit.kind,
    limit: describeLimit(u.limit),
    used: u.limit.kind === 'bounds' ? null : u.used,
    remaining: u.remaining,
    resetAt: u.resetAt,
  }));
  return `limits\n${formatTable(rows, ['scope', 'kind', 'limit', 'used', 'remaining', 'resetAt'])}`;
}
