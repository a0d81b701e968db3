// Upstream TypeScript 0.1.x: [IV 12][tag 16][ciphertext], key = SHA-256(UTF-8 passphrase), no AAD.
import { BundleTamperedError } from '../../errors.js';
import { aesGcmOpen, aesGcmSeal, GCM_IV_LENGTH, GCM_TAG_LENGTH, importAesGcmKey } from '../../crypto/aes-gcm.js';
import { concatBytes, type Bytes } from '../../crypto/bytes.js';
import { sha256 } from '../../crypto/sha256.js';
import { randomBytes } from '../../crypto/subtle.js';
import { keyMismatch, type BundleKey } from '../key.js';

/** The layout's key: SHA-256 of the passphrase, as upstream derives it (any string, 64-hex included). */
async function legacyKey(passphrase: string): Promise<CryptoKey> {
  return importAesGcmKey(await sha256(passphrase));
}

export async function sealLegacy(plaintext: Bytes, key: BundleKey): Promise<Bytes> {
  // Old readers derive the key from a passphrase; a file sealed with a CryptoKey would open nowhere but here.
  if (typeof key !== 'string') keyMismatch("format 'legacy'", 'a passphrase (old readers hash it); use the own format for a CryptoKey');
  const iv = randomBytes(GCM_IV_LENGTH);
  const sealed = await aesGcmSeal(await legacyKey(key), iv, plaintext);
  const tag = sealed.subarray(sealed.length - GCM_TAG_LENGTH);
  return concatBytes(iv, tag, sealed.subarray(0, sealed.length - GCM_TAG_LENGTH));
}

export async function openLegacy(bytes: Uint8Array, key: BundleKey): Promise<Bytes> {
  // The legacy layout has no magic, so it is also what unrecognised bytes are tried as: with a
  // CryptoKey they can only be damaged (our own header lost) or a legacy file needing its passphrase.
  if (typeof key !== 'string') {
    throw new BundleTamperedError('A CryptoKey cannot open this bundle: no own-format header (damaged, or a legacy file that needs its passphrase)');
  }
  if (bytes.length < GCM_IV_LENGTH + GCM_TAG_LENGTH + 1) throw new BundleTamperedError('Bundle is truncated');
  const iv = bytes.slice(0, GCM_IV_LENGTH);
  const tag = bytes.subarray(GCM_IV_LENGTH, GCM_IV_LENGTH + GCM_TAG_LENGTH);
  // Web Crypto expects ciphertext‖tag; this layout stores the tag first.
  const sealed = concatBytes(bytes.subarray(GCM_IV_LENGTH + GCM_TAG_LENGTH), tag);
  try {
    return await aesGcmOpen(await legacyKey(key), iv, sealed);
  } catch (cause) {
    throw new BundleTamperedError(undefined, { cause });
  }
}
