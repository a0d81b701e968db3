import { describe, expect, it } from 'vitest';
import { shouldRefresh } from '../src/index.js';

const T0 = Date.UTC(2026, 10, 22, 0, 0, 0);
const H = 3_600_000;
const bundle = (checkpointAt: unknown, offlineExpiresAt: unknown) => ({ checkpointAt, offlineExpiresAt }) as { checkpointAt: number; offlineExpiresAt: string };

describe('shouldRefresh (PROTOCOL.md §6)', () => {
  const b = bundle(T0, new Date(T0 + 100 * H).toISOString());

  it('is false while 20 % or more of the window remains, true below', () => {
    expect(shouldRefresh(b, T0)).toBe(false);
    expect(shouldRefresh(b, T0 + 80 * H)).toBe(false);
    expect(shouldRefresh(b, T0 + 80 * H + 1)).toBe(true);
    expect(shouldRefresh(b, T0 + 101 * H)).toBe(true);
  });

  it('is true when a time is missing, unparsable or in the future', () => {
    expect(shouldRefresh(bundle(undefined, b.offlineExpiresAt), T0)).toBe(true);
    expect(shouldRefresh(bundle(T0, 'later'), T0)).toBe(true);
    expect(shouldRefresh(bundle(T0, undefined), T0)).toBe(true);
    expect(shouldRefresh(bundle(T0 + H, b.offlineExpiresAt), T0)).toBe(true);
    expect(shouldRefresh(bundle(T0, new Date(T0).toISOString()), T0)).toBe(true);
  });
});
