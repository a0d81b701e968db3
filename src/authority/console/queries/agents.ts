import type { Queryable } from '../../db/types.js';
import type { AgentRow } from '../../records.js';
import { rowWindow, toRowPage, type RowCursor, type RowPage } from './row-page.js';

/** An agent row with its list position. */
export type ListedAgent = AgentRow & { row_no: string | number };

/** One newest-first page of the developer's agents (keyset on `row_no`, index `agents_by_developer`). */
export async function agentPage(db: Queryable, developerId: string, cursor: RowCursor, limit = 50): Promise<RowPage<ListedAgent>> {
  const { where, order } = rowWindow('row_no', '$2', '$3', cursor);
  const rows = await db.query<ListedAgent & Record<string, unknown>>(
    `SELECT * FROM agents WHERE developer_id = $1 AND ${where} ORDER BY ${order} LIMIT $4`,
    [developerId, cursor.before, cursor.after, limit + 1],
  );
  return toRowPage(rows, limit, cursor);
}

/** The developer's active agents for the enrollment form (newest first, at most `limit`). */
export async function activeAgents(db: Queryable, developerId: string, limit = 500): Promise<AgentRow[]> {
  return db.query<AgentRow & Record<string, unknown>>(
    `SELECT * FROM agents WHERE developer_id = $1 AND status = 'active' ORDER BY row_no DESC LIMIT $2`,
    [developerId, limit],
  );
}
