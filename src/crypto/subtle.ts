import { OfflineConsentError } from '../errors.js';
import type { Bytes } from './bytes.js';

/** The runtime's Web Crypto `SubtleCrypto`; the one place the core touches the global. */
export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) {
    throw new OfflineConsentError(
      'Web Crypto (crypto.subtle) is missing: browsers have it only on https or localhost',
      'WEBCRYPTO_UNAVAILABLE',
    );
  }
  return s;
}

/**
 * Web Crypto's `NotSupportedError` (Ed25519 is missing: before Safari 17, Chrome 137, Firefox
 * 129) as a typed `UNSUPPORTED_ALGORITHM` error naming it; else undefined.
 */
export const unsupported = (cause: unknown): OfflineConsentError | undefined =>
  (cause as Error)?.name === 'NotSupportedError'
    ? new OfflineConsentError('No Ed25519 in Web Crypto here (Safari 17+, Chrome 137+, Firefox 129+ have it)', 'UNSUPPORTED_ALGORITHM', { cause })
    : undefined;

/** Whether the value is a Web Crypto `CryptoKey` (false where the runtime has none). */
export const isCryptoKey = (key: unknown): key is CryptoKey => typeof CryptoKey !== 'undefined' && key instanceof CryptoKey;

/** `n` cryptographically random bytes. */
export function randomBytes(n: number): Bytes {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let i = 0; i < n; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}
