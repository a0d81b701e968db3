import type { Context } from 'hono';
import { badRequest } from '../api-error.js';
import { ENTRY_FLAGS } from '../sync/entry-flags.js';

/** The query of `GET …/audit`: where the page starts, its size, and which entries it keeps. */
export interface AuditPageParams {
  afterSeq: number;
  limit: number;
  /** Only entries with at least one flag. */
  flagged: boolean;
  /** Only entries with this flag. */
  flag: string | null;
}

/** Reads and checks `afterSeq` (or `cursor`), `limit` (1…1000), `flagged` and `flag`. */
export function auditPageParams(c: Context): AuditPageParams {
  const cursor = c.req.query('cursor');
  const after = c.req.query('afterSeq');
  if (cursor !== undefined && after !== undefined) throw badRequest('give afterSeq or cursor, not both');
  const afterSeq = Number(cursor ?? after ?? 0);
  const limit = Number(c.req.query('limit') ?? 1000);
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw badRequest(cursor === undefined ? 'afterSeq must be a non-negative integer' : 'cursor is not one this server returned', cursor === undefined ? 'BAD_REQUEST' : 'INVALID_CURSOR');
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest('limit must be an integer from 1 to 1000');
  const flaggedText = c.req.query('flagged');
  if (flaggedText !== undefined && flaggedText !== 'true' && flaggedText !== 'false') throw badRequest('flagged must be true or false');
  const flag = c.req.query('flag') ?? null;
  if (flag !== null && !ENTRY_FLAGS.includes(flag as never)) throw badRequest(`flag must be one of ${ENTRY_FLAGS.join(', ')}`);
  return { afterSeq, limit, flagged: flaggedText === 'true' || flag !== null, flag };
}
