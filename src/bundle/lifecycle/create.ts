import type { ConsentBundle } from '../types.js';
import { withHwmRequired } from '../seal.js';
import { joinUrl, postForBundle, type RequestOptions } from './request.js';

/** Options of {@link createConsentBundle}: who the grant is for, and how to reach the authority. */
export interface CreateConsentBundleOptions extends RequestOptions {
  /** The developer's API key (never put in an error message). */
  apiKey: string;
  /** The authority's base URL (no vendor default: this library talks to your authority). */
  baseUrl: string;
  /** The registered agent the grant is for. */
  agentId: string;
  /** The user granting consent; the token's `sub`. */
  userId: string;
  /** Scopes to grant; each must be registered for the agent. */
  scopes: string[];
  /** How long the device may work offline, e.g. `'72h'` (default), at most `'168h'`. */
  offlineTTL?: string;
  /** Algorithm of the audit key pair; the authority accepts only `'Ed25519'` (the default). */
  offlineAuditKeyAlgorithm?: string;
  /** The device the bundle is for; it goes into the token (`dvc`), and syncs naming another device are refused. */
  deviceId?: string;
  /** Free-form platform label the authority stores with the bundle. */
  devicePlatform?: string;
}

/** Asks the authority for a consent bundle (online); the device then works offline with it. Marked `hwmRequired`. */
export async function createConsentBundle(options: CreateConsentBundleOptions): Promise<ConsentBundle> {
  const { apiKey, baseUrl, agentId, userId, scopes, offlineTTL = '72h', offlineAuditKeyAlgorithm = 'Ed25519', deviceId, devicePlatform } = options;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) throw new TypeError('scopes must be an array of strings');
  const body = { agentId, userId, scopes, offlineTTL, offlineAuditKeyAlgorithm, ...(deviceId ? { deviceId } : {}), ...(devicePlatform ? { devicePlatform } : {}) };
  return withHwmRequired(await postForBundle(joinUrl(baseUrl, '/v1/consent-bundles'), apiKey, body, options));
}
