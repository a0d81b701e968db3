import type { ConsentBundle } from '../bundle/types.js';
import { deviceCall, type DeviceCallOptions } from './revocation-status.js';

/**
 * Revokes the device's own bundle (a device that knows it was stolen or wiped), signed with
 * a device proof; returns the authority's answer (the bundle record).
 */
export function revokeOwnBundle(bundle: ConsentBundle, options: DeviceCallOptions = {}): Promise<Record<string, unknown>> {
  return deviceCall(bundle, 'POST', '/revoke', {}, options);
}
