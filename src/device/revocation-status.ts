import { bundleBaseUrl } from '../bundle/lifecycle/refresh.js';
import { joinUrl, requestAuthority, type RequestOptions } from '../bundle/lifecycle/request.js';
import type { ConsentBundle } from '../bundle/types.js';
import { bundlePath } from '../sync/endpoint.js';
import { deviceProofHeaders } from './proof.js';

/** Options of the device calls: transport, and the authority (default: the bundle's own). */
export interface DeviceCallOptions extends RequestOptions {
  /** The authority's base URL (default: read off the bundle's `syncEndpoint`). */
  baseUrl?: string;
}

/** What the authority says about a bundle's revocation. */
export interface RevocationStatus {
  /** The bundle asked about. */
  bundleId: string;
  /** The bundle's state at the authority: `active`, `revoked`, `suspended` or `expired`. */
  status: string;
  /** When it was revoked (ISO 8601), or null. */
  revokedAt: string | null;
  /** Whether the grant itself was revoked too, not only this bundle. */
  grantRevoked: boolean;
  /** Unix ms of the bundle's last issue or refresh, or null if the answer lacked it. */
  checkpointAt: number | null;
}

/** Sends one device call for `bundle`, signed with a fresh device proof; returns the answer's data. */
export function deviceCall(bundle: ConsentBundle, method: string, path: string, body: unknown, options: DeviceCallOptions): Promise<Record<string, unknown>> {
  const url = joinUrl(options.baseUrl ?? bundleBaseUrl(bundle), bundlePath(bundle.bundleId) + path);
  const secrets = [bundle.grantToken, typeof bundle.offlineAuditKey.privateKey === 'string' ? bundle.offlineAuditKey.privateKey : ''];
  return requestAuthority(url, { method, body }, deviceProofHeaders(bundle), options, secrets);
}

/** Asks the authority whether the bundle is revoked, as the device itself (a device proof, no API key). */
export async function revocationStatus(bundle: ConsentBundle, options: DeviceCallOptions = {}): Promise<RevocationStatus> {
  const d = await deviceCall(bundle, 'GET', '/revocation-status', undefined, options);
  return {
    bundleId: typeof d.bundleId === 'string' ? d.bundleId : bundle.bundleId,
    status: String(d.status),
    revokedAt: typeof d.revokedAt === 'string' ? d.revokedAt : null,
    grantRevoked: d.grantRevoked === true,
    checkpointAt: typeof d.checkpointAt === 'number' ? d.checkpointAt : null,
  };
}
