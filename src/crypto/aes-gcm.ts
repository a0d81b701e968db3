import type { Bytes } from './bytes.js';
import { subtle } from './subtle.js';

/** AES-GCM IV length in bytes (96 bits, the only size to use with random IVs). */
export const GCM_IV_LENGTH = 12;
/** AES-GCM authentication tag length in bytes. */
export const GCM_TAG_LENGTH = 16;

/** Imports 32 raw bytes as a non-extractable AES-256-GCM key. */
export function importAesGcmKey(raw: Bytes): Promise<CryptoKey> {
  if (raw.length !== 32) throw new RangeError(`AES-256 key must be 32 bytes, got ${raw.length}`);
  return subtle().importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/** Encrypts; returns `ciphertext ‖ tag` as Web Crypto does. */
export async function aesGcmSeal(key: CryptoKey, iv: Bytes, plaintext: Bytes, aad?: Bytes): Promise<Bytes> {
  const params: AesGcmParams = aad ? { name: 'AES-GCM', iv, additionalData: aad } : { name: 'AES-GCM', iv };
  return new Uint8Array(await subtle().encrypt(params, key, plaintext));
}

/** Decrypts `ciphertext ‖ tag`; rejects (Web Crypto `OperationError`) when authentication fails. */
export async function aesGcmOpen(key: CryptoKey, iv: Bytes, sealed: Bytes, aad?: Bytes): Promise<Bytes> {
  const params: AesGcmParams = aad ? { name: 'AES-GCM', iv, additionalData: aad } : { name: 'AES-GCM', iv };
  return new Uint8Array(await subtle().decrypt(params, key, sealed));
}
