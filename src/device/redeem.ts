import { generateAuditKeyPair } from '../crypto/ed25519.js';
import { joinUrl, requestAuthority, type RequestOptions } from '../bundle/lifecycle/request.js';
import type { ConsentBundle } from '../bundle/types.js';
import { validateBundle } from '../bundle/validate.js';
import { withHwmRequired } from '../bundle/seal.js';

/** Options of `redeemEnrollment`. */
export interface RedeemEnrollmentOptions extends RequestOptions {
  /** The authority's base URL. */
  baseUrl: string;
  /** The one-time enrollment code (`oce_…`) the developer's backend minted. */
  code: string;
  /** The device's id when the enrollment names none; stored with the bundle and put in its token (`dvc`). */
  deviceId?: string;
  /** Platform label stored with the bundle when the enrollment names none. */
  devicePlatform?: string;
  /**
   * `true` (default): the private key is kept as PKCS#8 PEM inside the bundle (seal it with
   * `storeBundle`). `false`: a non-extractable `CryptoKey` (browsers; `storeBundle` keeps it apart).
   */
  extractable?: boolean;
}

/** Merges the device's own private key into a bundle the authority answered without one, then validates it. */
export function withPrivateKey(data: Record<string, unknown>, privateKey: string | CryptoKey): ConsentBundle {
  const key = (data.offlineAuditKey ?? {}) as Record<string, unknown>;
  return validateBundle({ ...data, offlineAuditKey: { ...key, privateKey } });
}

/**
 * Redeems an enrollment code (PROTOCOL.md §7.3), with no API key: makes the device's own
 * Ed25519 audit key, sends only its public half, and returns the bundle with the private
 * half put in, marked `hwmRequired`. A bad, expired, cancelled or reused code is an `AuthorityError` with the
 * server's code (`ENROLLMENT_NOT_FOUND`, `ENROLLMENT_EXPIRED`, …); nothing was issued.
 *
 * @example
 * ```ts
 * import { redeemEnrollment, storeBundle } from 'offline-consent/node';
 *
 * // `code` reached the device out of band (QR code, provisioning file); it works once.
 * declare const code: string;
 * const bundle = await redeemEnrollment({ baseUrl: 'https://auth.example.com', code, deviceId: 'pi-kitchen' });
 * await storeBundle(bundle, 'bundle.bin', process.env.OFFLINE_CONSENT_BUNDLE_KEY!);
 * ```
 */
export async function redeemEnrollment(options: RedeemEnrollmentOptions): Promise<ConsentBundle> {
  const { baseUrl, code, deviceId, devicePlatform, extractable = true } = options;
  if (typeof code !== 'string' || code.length === 0) throw new TypeError('code is required');
  const url = joinUrl(baseUrl, '/v1/enrollments/redeem');
  const pair = await generateAuditKeyPair(extractable);
  const body = { code, auditPublicKey: pair.publicKey, ...(deviceId ? { deviceId } : {}), ...(devicePlatform ? { devicePlatform } : {}) };
  const data = await requestAuthority(url, { method: 'POST', body }, async () => ({}), options, [code]);
  return withHwmRequired(withPrivateKey(data, pair.privateKey)); // redeemed by this version: its log keeps a mark
}
