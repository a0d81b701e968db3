import { statusCondition } from '../../bundle-list.js';
import type { Queryable } from '../../db/types.js';
import { BUNDLE_COLUMNS, type BundleRow } from '../../records.js';
import { rowWindow, toRowPage, type RowCursor, type RowPage } from './row-page.js';

/** A bundle row as the bundles page lists it: its agent's name, and whether any stored entry is flagged. */
export type ListedBundle = BundleRow & { row_no: string | number; agent_name: string; has_flagged: boolean };

/**
 * One newest-first page of the developer's bundles, filtered by status. Whether a bundle holds a
 * flagged entry is one probe of the partial index `audit_entries_flagged` per listed bundle.
 */
export async function bundlePage(db: Queryable, developerId: string, status: string | null, cursor: RowCursor, now: number, limit = 50): Promise<RowPage<ListedBundle>> {
  const { where, order } = rowWindow('b.row_no', '$2', '$3', cursor);
  const rows = await db.query<ListedBundle & Record<string, unknown>>(
    `SELECT ${BUNDLE_COLUMNS}, a.name AS agent_name,
       EXISTS (SELECT 1 FROM audit_entries e WHERE e.bundle_id = b.id AND e.flags <> '[]') AS has_flagged
     FROM bundles b JOIN agents a ON a.id = b.agent_id
     WHERE b.developer_id = $1 AND ${where} AND ${statusCondition('$4', '$5')}
     ORDER BY ${order} LIMIT $6`,
    [developerId, cursor.before, cursor.after, status, new Date(now).toISOString(), limit + 1],
  );
  return toRowPage(rows, limit, cursor);
}
