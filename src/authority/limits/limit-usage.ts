import { createLimitLedger, RAN_RESULTS, type LimitLedger, type LimitUsage } from '../../guard/limits/ledger.js';
import type { GrantLimit } from '../../verifier/limits.js';
import type { Queryable } from '../db/types.js';
import { storedLimits } from './stored-limits.js';

const BATCH = 1000;
const COUNTED = RAN_RESULTS.map((r) => `'${r.replace(/'/g, "''")}'`).join(', ');

/**
 * The ledger of a bundle's limits after its stored trail: every stored entry of a tool that
 * ran, replayed in seq order through `createLimitLedger(...).record` (the device's own model),
 * a batch at a time so memory stays flat. Only bundles with limits pay for it.
 */
export async function replayLedger(db: Queryable, bundleId: string, limits: readonly GrantLimit[]): Promise<LimitLedger> {
  const ledger = createLimitLedger(limits);
  for (let after = 0; ; ) {
    const rows = await db.query<{ seq: number | string; scopes: string; result: string; timestamp: string; metadata: string | null }>(
      `SELECT seq, scopes, result, timestamp, metadata FROM audit_entries
       WHERE bundle_id = $1 AND seq > $2::bigint AND result IN (${COUNTED}) ORDER BY seq LIMIT $3`,
      [bundleId, after, BATCH],
    );
    for (const r of rows) {
      ledger.record({ scopes: JSON.parse(r.scopes) as string[], result: r.result, timestamp: r.timestamp, ...(r.metadata === null ? {} : { metadata: JSON.parse(r.metadata) as Record<string, unknown> }) });
    }
    if (rows.length < BATCH) return ledger;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/** Where each of a bundle's limits stands at `nowMs`, from its stored trail; [] (and no query) without limits. */
export async function bundleLimitUsage(db: Queryable, row: { id: string; limits: string | null }, nowMs: number): Promise<LimitUsage[]> {
  const limits = storedLimits(row.limits);
  return limits.length === 0 ? [] : (await replayLedger(db, row.id, limits)).usage(nowMs);
}
