/** Path of the offline-sync endpoint on an authority. */
export const SYNC_PATH = '/v1/audit/offline-sync';

/** A bundle's resource on an authority: `/v1/consent-bundles/<bundleId>`, the id URL-encoded. */
export const bundlePath = (bundleId: string): string => `/v1/consent-bundles/${encodeURIComponent(bundleId)}`;

/** Accepts either an authority base URL or the bundle's full `syncEndpoint`. */
export function resolveSyncUrl(endpoint: string): string {
  if (typeof endpoint !== 'string' || endpoint.length === 0) throw new TypeError('endpoint must be a URL string');
  const url = new URL(endpoint); // TypeError on garbage, before any request is made
  const path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith(SYNC_PATH)) return url.toString();
  url.pathname = `${path}${SYNC_PATH}`;
  return url.toString();
}

/** The authority base URL (everything before `/v1/...`) of a sync URL. */
export function authorityBaseUrl(syncUrl: string): string {
  const url = new URL(syncUrl);
  url.pathname = url.pathname.replace(/\/+$/, '').replace(new RegExp(`${SYNC_PATH}$`), '') || '/';
  url.search = '';
  return url.toString().replace(/\/$/, '');
}
