import type { Bytes } from './bytes.js';
import { subtle } from './subtle.js';
import { utf8Encode } from './utf8.js';

/** Derives a non-extractable AES-256-GCM key from a passphrase with PBKDF2-HMAC-SHA-256. */
export async function pbkdf2AesGcmKey(passphrase: string, salt: Bytes, iterations: number): Promise<CryptoKey> {
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new RangeError('PBKDF2 iterations must be a positive integer');
  const base = await subtle().importKey('raw', utf8Encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return subtle().deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}
