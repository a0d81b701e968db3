import { AuthorityApiError, badRequest } from './api-error.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const TTL = /^(\d{1,6})(s|m|h|d|w)$/;

/**
 * Parses an offline TTL such as "72h", "30m", "7d" to milliseconds. Unparsable or zero →
 * 400 `INVALID_TTL`; longer than `maxMs` (168 h by default) → 422 `INVALID_TTL`.
 */
export function parseTTL(value: unknown, maxMs: number): number {
  const match = typeof value === 'string' ? TTL.exec(value.trim()) : null;
  if (!match) throw badRequest('offlineTTL must be a duration like "72h", "30m" or "7d"', 'INVALID_TTL');
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms <= 0) throw badRequest('offlineTTL must be positive', 'INVALID_TTL');
  if (ms > maxMs) {
    throw new AuthorityApiError(422, 'INVALID_TTL', `offlineTTL ${String(value)} exceeds the maximum of ${maxMs / 3_600_000}h`);
  }
  return ms;
}
