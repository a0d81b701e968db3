import type { Context } from 'hono';
import { badRequest } from '../api-error.js';

/** `?limit` (1…max, default `fallback`) and the opaque `?cursor` of the page before. */
export function pageParams(c: Context, fallback = 50, max = 100): { limit: number; before: string | null } {
  const limitText = c.req.query('limit');
  const limit = limitText === undefined ? fallback : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw badRequest(`limit must be an integer from 1 to ${max}`);
  const cursor = c.req.query('cursor') ?? null;
  if (cursor !== null && !/^[1-9]\d{0,17}$/.test(cursor)) throw badRequest('cursor is not one this server returned', 'INVALID_CURSOR');
  return { limit, before: cursor };
}

/** Runs a keyset query newest first and returns one page plus the cursor of the next. */
export function nextCursor<T extends { row_no: number | string }>(rows: T[], limit: number): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return { page, nextCursor: rows.length > limit ? String(page[page.length - 1]!.row_no) : null };
}
