import { BundleKeyMismatchError, OfflineConsentError, UnsupportedKdfError } from '../errors.js';
import { importAesGcmKey } from '../crypto/aes-gcm.js';
import type { Bytes } from '../crypto/bytes.js';
import { fromHex } from '../crypto/hex.js';
import { isCryptoKey } from '../crypto/subtle.js';

/** A passphrase, a 64-hex-character raw AES-256 key, or an AES-GCM `CryptoKey`. */
export type BundleKey = string | CryptoKey;

/** Caller-supplied scrypt (Web Crypto has none), used only to open upstream `GTXB` files. */
export type ScryptFunction = (password: Uint8Array, salt: Uint8Array, params: { N: number; r: number; p: number; dkLen: number }) => Uint8Array | Promise<Uint8Array>;

const RAW_HEX = /^[0-9a-fA-F]{64}$/;

export { isCryptoKey };

/** A 64-hex string is a raw key; any other string is a passphrase. */
export function isRawHexKey(key: BundleKey): key is string {
  return typeof key === 'string' && RAW_HEX.test(key);
}

export function checkBundleKey(key: unknown): BundleKey {
  if (isCryptoKey(key)) {
    if (key.algorithm.name !== 'AES-GCM') throw new OfflineConsentError(`Bundle key must be an AES-GCM CryptoKey, got ${key.algorithm.name}`, 'INVALID_KEY');
    return key;
  }
  if (typeof key !== 'string' || key.length === 0) throw new OfflineConsentError('Bundle key must be a passphrase, a 64-hex-character key or an AES-GCM CryptoKey', 'INVALID_KEY');
  return key;
}

export function keyMismatch(layout: string, needs: string): never {
  throw new BundleKeyMismatchError(`This bundle (${layout}) is opened with ${needs}`);
}

/** The AES key for layouts keyed by raw bytes or a CryptoKey (own raw, Python). */
export async function rawOrCryptoKey(key: BundleKey, layout: string): Promise<CryptoKey> {
  if (isCryptoKey(key)) return key;
  if (isRawHexKey(key)) return importAesGcmKey(fromHex(key) as Bytes);
  return keyMismatch(layout, 'a 64-hex-character key or an AES-GCM CryptoKey, not a passphrase');
}

export function requireScrypt(scrypt: ScryptFunction | undefined): ScryptFunction {
  if (typeof scrypt !== 'function') {
    throw new UnsupportedKdfError('This bundle uses scrypt (upstream GTXB layout), which Web Crypto lacks: pass options.scrypt to open it');
  }
  return scrypt;
}
