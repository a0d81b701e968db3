import { OfflineConsentError } from '../errors.js';
import type { Bytes } from './bytes.js';

/** The runtime's Web Crypto `SubtleCrypto`; the one place the core touches the global. */
export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) {
    throw new OfflineConsentError(
      'Web Crypto (globalThis.crypto.subtle) is not available; browsers expose it only on secure origins (https or localhost)',
      'WEBCRYPTO_UNAVAILABLE',
    );
  }
  return s;
}

/** Whether the value is a Web Crypto `CryptoKey` (false where the runtime has none). */
export const isCryptoKey = (key: unknown): key is CryptoKey => typeof CryptoKey !== 'undefined' && key instanceof CryptoKey;

/** `n` cryptographically random bytes. */
export function randomBytes(n: number): Bytes {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let i = 0; i < n; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}
