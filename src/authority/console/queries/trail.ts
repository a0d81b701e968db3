// A bundle's trail, a page at a time by seq: `WHERE bundle_id = $1 AND seq > $2 ORDER BY seq LIMIT n`
// on the primary key (bundle_id, seq), or on the partial index `audit_entries_flagged` for flagged
// entries. No COUNT, no OFFSET: every page costs the same wherever it is in the trail.
import type { Queryable } from '../../db/types.js';
import type { EntryRow } from '../../records.js';

/** A stored entry as the trail page shows it, with the key version that verified it. */
export type TrailRow = EntryRow & { audit_key_version: number };

/** Which page: entries after `after`, or the page before `before` (seq numbers); flagged entries only when `flagged`. */
export interface TrailQuery {
  after: number;
  before: number | null;
  flagged: boolean;
  limit: number;
}

/** One page of entries in seq order, and where the pages either side start (null: none). */
export interface TrailPage {
  entries: TrailRow[];
  /** `before` for the previous page. */
  prevBefore: number | null;
  /** `after` for the next page. */
  nextAfter: number | null;
}

// A literal predicate, so the planner matches the partial index `audit_entries_flagged`.
const flaggedOnly = (on: boolean) => (on ? ` AND flags <> '[]'` : '');

/** Reads one page of a bundle's stored entries, plus one index probe for the other direction. */
export async function trailPage(db: Queryable, bundleId: string, q: TrailQuery): Promise<TrailPage> {
  const filter = flaggedOnly(q.flagged);
  if (q.before !== null) {
    const rows = await db.query<TrailRow & Record<string, unknown>>(
      `SELECT * FROM audit_entries WHERE bundle_id = $1 AND seq < $2::bigint${filter} ORDER BY seq DESC LIMIT $3`,
      [bundleId, q.before, q.limit + 1],
    );
    const entries = rows.slice(0, q.limit).reverse();
    const after = await db.query(`SELECT 1 FROM audit_entries WHERE bundle_id = $1 AND seq >= $2::bigint${filter} LIMIT 1`, [bundleId, q.before]);
    const first = entries[0];
    const last = entries[entries.length - 1];
    return {
      entries,
      prevBefore: rows.length > q.limit && first ? Number(first.seq) : null,
      nextAfter: after.length > 0 ? (last ? Number(last.seq) : q.before - 1) : null,
    };
  }
  const rows = await db.query<TrailRow & Record<string, unknown>>(
    `SELECT * FROM audit_entries WHERE bundle_id = $1 AND seq > $2::bigint${filter} ORDER BY seq LIMIT $3`,
    [bundleId, q.after, q.limit + 1],
  );
  const entries = rows.slice(0, q.limit);
  const before = q.after > 0 ? await db.query(`SELECT 1 FROM audit_entries WHERE bundle_id = $1 AND seq <= $2::bigint${filter} LIMIT 1`, [bundleId, q.after]) : [];
  const first = entries[0];
  const last = entries[entries.length - 1];
  return {
    entries,
    prevBefore: before.length > 0 ? (first ? Number(first.seq) : q.after + 1) : null,
    nextAfter: rows.length > q.limit && last ? Number(last.seq) : null,
  };
}

/** The whole trail in seq order, `batch` entries per query (keyset, so memory stays flat on any length). */
export async function* trailBatches(db: Queryable, bundleId: string, batch = 1000): AsyncGenerator<EntryRow[]> {
  for (let after = 0; ; ) {
    const rows = await db.query<EntryRow & Record<string, unknown>>(
      'SELECT * FROM audit_entries WHERE bundle_id = $1 AND seq > $2::bigint ORDER BY seq LIMIT $3',
      [bundleId, after, batch],
    );
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batch) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}
