// Keyset pages over `row_no` (newest first), as the REST lists page: no OFFSET, no COUNT.
import { badRequest } from '../../api-error.js';

/** Where a newest-first page starts: older than `before`, or newer than `after` (row numbers), or the first page. */
export interface RowCursor {
  before: string | null;
  after: string | null;
}

/** One page of rows and the cursors of the pages either side (null: none). */
export interface RowPage<T> {
  rows: T[];
  /** `after` for the page of newer rows. */
  newer: string | null;
  /** `before` for the page of older rows. */
  older: string | null;
}

const ROW_NO = /^[1-9]\d{0,17}$/;

/** Reads `?before=` or `?after=` (a row number from a link this console made); 400 for anything else. */
export function readRowCursor(query: (name: string) => string | undefined): RowCursor {
  const before = query('before') ?? null;
  const after = query('after') ?? null;
  if ((before !== null && !ROW_NO.test(before)) || (after !== null && !ROW_NO.test(after)) || (before !== null && after !== null)) {
    throw badRequest('The page link is not one this console made', 'INVALID_CURSOR');
  }
  return { before, after };
}

/** SQL pieces for a newest-first keyset page on `column`, with `$before`/`$after` parameter names. */
export function rowWindow(column: string, before: string, after: string, cursor: RowCursor): { where: string; order: string } {
  return {
    where: `(${before}::bigint IS NULL OR ${column} < ${before}::bigint) AND (${after}::bigint IS NULL OR ${column} > ${after}::bigint)`,
    order: cursor.after !== null ? `${column} ASC` : `${column} DESC`,
  };
}

/** Turns the `limit + 1` rows a {@link rowWindow} query returned into a newest-first page with its cursors. */
export function toRowPage<T extends { row_no: string | number }>(rows: T[], limit: number, cursor: RowCursor): RowPage<T> {
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  if (cursor.after !== null) page.reverse();
  const first = page[0];
  const last = page[page.length - 1];
  if (cursor.after !== null) {
    // Read upwards from `after`: older rows exist (the cursor's own row at least); newer ones if the query found more.
    return { rows: page, newer: more && first ? String(first.row_no) : null, older: last ? String(last.row_no) : String(BigInt(cursor.after) + 1n) };
  }
  return {
    rows: page,
    newer: cursor.before !== null ? (first ? String(first.row_no) : String(BigInt(cursor.before) - 1n)) : null,
    older: more && last ? String(last.row_no) : null,
  };
}
