import type { ConsentBundle } from '../types.js';

/** Share of the offline window left below which a refresh is due (PROTOCOL.md §6). */
export const REFRESH_THRESHOLD = 0.2;

/**
 * True when under 20 % of the window from `checkpointAt` to `offlineExpiresAt` remains — or
 * when either time is missing, unparsable or in the future (fail towards refreshing).
 */
export function shouldRefresh(bundle: Pick<ConsentBundle, 'checkpointAt' | 'offlineExpiresAt'>, now: number = Date.now()): boolean {
  const checkpoint = bundle?.checkpointAt;
  const expires = Date.parse(bundle?.offlineExpiresAt);
  if (typeof checkpoint !== 'number' || !Number.isFinite(checkpoint) || !Number.isFinite(expires)) return true;
  if (checkpoint > now) return true;
  const window = expires - checkpoint;
  if (window <= 0) return true;
  return (expires - now) / window < REFRESH_THRESHOLD;
}
