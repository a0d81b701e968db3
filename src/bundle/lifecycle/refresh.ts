import { authorityBaseUrl, bundlePath } from '../../sync/endpoint.js';
import type { ConsentBundle } from '../types.js';
import { refreshDevice, type DeviceRefreshOptions } from './device-refresh.js';
import { joinUrl, postForBundle, type RequestOptions } from './request.js';

/** The authority base URL a bundle came from, read off its `syncEndpoint`. */
export function bundleBaseUrl(bundle: Pick<ConsentBundle, 'syncEndpoint'>): string {
  return authorityBaseUrl(bundle.syncEndpoint);
}

/**
 * Exchanges a bundle for a fresh one (new token, snapshot, rotated audit key, new offline
 * deadline). `baseUrl` defaults to the bundle's own authority.
 *
 * With an API key (a backend; a legacy bundle): the authority makes the new audit key.
 *
 * With `{ log }` and no API key (a device, PROTOCOL.md §9): syncs the log (`SYNC_REQUIRED`
 * if entries stay unsynced), then holds it while it makes a new Ed25519 key (extractable iff
 * the current private key is PEM) and sends its public half with a device proof signed by
 * the current key stating the log head; network errors, 5xx and 429 are retried with the same
 * key and head, each attempt signed afresh. On success the log signs with the new key from
 * `head.seq + 1` and the new bundle (new private key put in, `auditKeySpans`) is returned. A
 * refusal is an `AuthorityError` with the server's code (`HEAD_MISMATCH`, `BUNDLE_REVOKED`,
 * `REENROLL_REQUIRED`, `BUNDLE_FORKED`, …) and the log is unchanged.
 *
 * Limit: when no attempt got an answer, the authority may already have switched to the new
 * key. The error is then `REFRESH_OUTCOME_UNKNOWN` with `retry: { head, keyPair }`, and the
 * log is unchanged; call `refreshBundle(bundle, { log, retry: error.retry })` (before any
 * append) to repeat exactly that request and get the same answer. Refreshing with a new key
 * instead, or appending first, makes the authority see a fork and suspend the bundle.
 */
export function refreshBundle(bundle: ConsentBundle, device: DeviceRefreshOptions): Promise<ConsentBundle>;
export function refreshBundle(bundle: ConsentBundle, apiKey: string, baseUrlOrOptions?: string | (RequestOptions & { baseUrl?: string })): Promise<ConsentBundle>;
export function refreshBundle(bundle: ConsentBundle, apiKey: string | DeviceRefreshOptions, baseUrlOrOptions?: string | (RequestOptions & { baseUrl?: string })): Promise<ConsentBundle> {
  if (typeof apiKey === 'object' && apiKey !== null && 'log' in apiKey) return refreshDevice(bundle, apiKey);
  const options: RequestOptions & { baseUrl?: string | undefined } = typeof baseUrlOrOptions === 'object' && baseUrlOrOptions !== null ? baseUrlOrOptions : { baseUrl: baseUrlOrOptions ?? undefined };
  const baseUrl = options.baseUrl ?? bundleBaseUrl(bundle);
  const { grantToken, offlineAuditKey } = bundle;
  const secrets = [grantToken, typeof offlineAuditKey?.privateKey === 'string' ? offlineAuditKey.privateKey : ''];
  return postForBundle(joinUrl(baseUrl, `${bundlePath(bundle.bundleId)}/refresh`), apiKey, undefined, options, secrets);
}
