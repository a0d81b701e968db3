import type { ConsentBundle } from '../types.js';
import { withHwmRequired } from '../seal.js';
import { joinUrl, postForBundle, type RequestOptions } from './request.js';

export interface CreateConsentBundleOptions extends RequestOptions {
  apiKey: string;
  /** The authority's base URL (no vendor default: this library talks to your authority). */
  baseUrl: string;
  agentId: string;
  userId: string;
  scopes: string[];
  /** How long the device may work offline, e.g. `'72h'` (default), at most `'168h'`. */
  offlineTTL?: string;
  offlineAuditKeyAlgorithm?: string;
  deviceId?: string;
  devicePlatform?: string;
}

/** Asks the authority for a consent bundle (online); the device then works offline with it. Marked `hwmRequired`. */
export async function createConsentBundle(options: CreateConsentBundleOptions): Promise<ConsentBundle> {
  const { apiKey, baseUrl, agentId, userId, scopes, offlineTTL = '72h', offlineAuditKeyAlgorithm = 'Ed25519', deviceId, devicePlatform } = options;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) throw new TypeError('scopes must be an array of strings');
  const body = { agentId, userId, scopes, offlineTTL, offlineAuditKeyAlgorithm, ...(deviceId ? { deviceId } : {}), ...(devicePlatform ? { devicePlatform } : {}) };
  return withHwmRequired(await postForBundle(joinUrl(baseUrl, '/v1/consent-bundles'), apiKey, body, options));
}
