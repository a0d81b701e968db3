import { authorityBaseUrl } from '../../sync/endpoint.js';
import type { ConsentBundle } from '../types.js';
import { joinUrl, postForBundle, type RequestOptions } from './request.js';

/** The authority base URL a bundle came from, read off its `syncEndpoint`. */
export function bundleBaseUrl(bundle: Pick<ConsentBundle, 'syncEndpoint'>): string {
  return authorityBaseUrl(bundle.syncEndpoint);
}

/**
 * Exchanges a bundle for a fresh one (new token, snapshot, rotated audit key, new offline
 * deadline). `baseUrl` defaults to the bundle's own authority.
 */
export function refreshBundle(bundle: ConsentBundle, apiKey: string, baseUrlOrOptions?: string | (RequestOptions & { baseUrl?: string })): Promise<ConsentBundle> {
  const options: RequestOptions & { baseUrl?: string | undefined } = typeof baseUrlOrOptions === 'object' && baseUrlOrOptions !== null ? baseUrlOrOptions : { baseUrl: baseUrlOrOptions ?? undefined };
  const baseUrl = options.baseUrl ?? bundleBaseUrl(bundle);
  const { grantToken, offlineAuditKey } = bundle;
  const secrets = [grantToken, typeof offlineAuditKey?.privateKey === 'string' ? offlineAuditKey.privateKey : ''];
  return postForBundle(joinUrl(baseUrl, `/v1/consent-bundles/${encodeURIComponent(bundle.bundleId)}/refresh`), apiKey, undefined, options, secrets);
}
