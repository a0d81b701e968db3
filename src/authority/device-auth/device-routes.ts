/** The device endpoints (PROTOCOL.md §8): what a proof may reach, and where CORS is answered. */
export const DEVICE_BUNDLE_ROUTES: ReadonlyArray<{ method: string; suffix: string }> = [
  { method: 'POST', suffix: 'refresh' },
  { method: 'GET', suffix: 'revocation-status' },
  { method: 'GET', suffix: 'audit' },
  { method: 'POST', suffix: 'revoke' },
];
export const SYNC_PATH = '/v1/audit/offline-sync';
export const REDEEM_PATH = '/v1/enrollments/redeem';

/** Hono path patterns of every device endpoint, for the CORS middleware. */
export const DEVICE_PATHS = [SYNC_PATH, REDEEM_PATH, ...DEVICE_BUNDLE_ROUTES.map((r) => `/v1/consent-bundles/:id/${r.suffix}`)];

/** Whether a device with a proof for `bundleId` may call `method path`. */
export function deviceMayCall(method: string, path: string, bundleId: string): boolean {
  if (method === 'POST' && path === SYNC_PATH) return true;
  const match = /^\/v1\/consent-bundles\/([^/]+)\/([a-z-]+)$/.exec(path);
  if (!match) return false;
  let id: string;
  try {
    id = decodeURIComponent(match[1]!);
  } catch {
    return false;
  }
  return id === bundleId && DEVICE_BUNDLE_ROUTES.some((r) => r.method === method && r.suffix === match[2]);
}
