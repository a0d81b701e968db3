import type { Queryable } from '../db/types.js';

/** Requests allowed per key in each window. */
export interface RateLimit {
  /** Requests allowed in one window. */
  limit: number;
  /** Window length in ms; windows are aligned to multiples of it. */
  windowMs: number;
}

/**
 * Counts one request of `keyHash` under `rule` in the database, so every authority process
 * sharing it counts together. Fixed windows aligned to multiples of `windowMs`; the key's
 * older windows are dropped in the same statement. Returns null when allowed, otherwise the
 * seconds until the window resets.
 */
export async function takeRateLimit(db: Queryable, keyHash: string, name: string, rule: RateLimit, now: number): Promise<number | null> {
  const start = Math.floor(now / rule.windowMs) * rule.windowMs;
  const [row] = await db.query<{ count: number | string }>(
    `WITH expired AS (DELETE FROM rate_limit_windows WHERE key_hash = $1 AND rule = $2 AND window_start < $3)
     INSERT INTO rate_limit_windows (key_hash, rule, window_start, count) VALUES ($1, $2, $3, 1)
     ON CONFLICT (key_hash, rule, window_start) DO UPDATE SET count = rate_limit_windows.count + 1
     RETURNING count`,
    [keyHash, name, start],
  );
  if (Number(row?.count ?? 0) <= rule.limit) return null;
  return Math.max(1, Math.ceil((start + rule.windowMs - now) / 1000));
}
