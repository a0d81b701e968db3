// This project's layout: "OCB" | version 1 | kdf | [iterations u32 BE | salt 16] | iv 12 | ciphertext‖tag.
// The whole header is the AES-GCM AAD, so no parameter can be changed without detection.
import { BundleTamperedError, UnsupportedBundleFormatError } from '../../errors.js';
import { aesGcmOpen, aesGcmSeal, GCM_IV_LENGTH, GCM_TAG_LENGTH } from '../../crypto/aes-gcm.js';
import { concatBytes, type Bytes } from '../../crypto/bytes.js';
import { pbkdf2AesGcmKey } from '../../crypto/pbkdf2.js';
import { randomBytes } from '../../crypto/subtle.js';
import { isRawHexKey, keyMismatch, rawOrCryptoKey, type BundleKey } from '../key.js';

export const OWN_MAGIC = [0x4f, 0x43, 0x42] as const; // "OCB"
export const OWN_VERSION = 1;
const KDF_NONE = 0;
const KDF_PBKDF2 = 1;
/** Default PBKDF2-SHA-256 iterations for passphrases (OWASP 2023 guidance). */
export const DEFAULT_ITERATIONS = 600_000;
/** Refused on read, so a hostile file cannot make the reader spin for hours. */
export const MAX_ITERATIONS = 10_000_000;
const SALT_LENGTH = 16;

export function isOwnFormat(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === OWN_MAGIC[0] && bytes[1] === OWN_MAGIC[1] && bytes[2] === OWN_MAGIC[2];
}

export async function sealOwn(plaintext: Bytes, key: BundleKey, iterations = DEFAULT_ITERATIONS): Promise<Bytes> {
  const iv = randomBytes(GCM_IV_LENGTH);
  let header: Bytes;
  let aesKey: CryptoKey;
  if (typeof key === 'string' && !isRawHexKey(key)) {
    if (!Number.isSafeInteger(iterations) || iterations < 100_000 || iterations > MAX_ITERATIONS) {
      throw new RangeError(`PBKDF2 iterations must be between 100,000 and ${MAX_ITERATIONS.toLocaleString('en')}`);
    }
    const salt = randomBytes(SALT_LENGTH);
    const count = new Uint8Array(4);
    new DataView(count.buffer).setUint32(0, iterations);
    header = concatBytes(Uint8Array.from([...OWN_MAGIC, OWN_VERSION, KDF_PBKDF2]), count, salt, iv);
    aesKey = await pbkdf2AesGcmKey(key, salt, iterations);
  } else {
    header = concatBytes(Uint8Array.from([...OWN_MAGIC, OWN_VERSION, KDF_NONE]), iv);
    aesKey = await rawOrCryptoKey(key, 'own format');
  }
  return concatBytes(header, await aesGcmSeal(aesKey, iv, plaintext, header));
}

export async function openOwn(bytes: Uint8Array, key: BundleKey): Promise<Bytes> {
  if (bytes.length < 5) throw new BundleTamperedError('Bundle is truncated');
  if (bytes[3] !== OWN_VERSION) throw new UnsupportedBundleFormatError(`Bundle format version ${bytes[3]} is newer than this library reads (${OWN_VERSION})`);
  const kdf = bytes[4];
  let offset = 5;
  let aesKey: CryptoKey;
  if (kdf === KDF_PBKDF2) {
    if (bytes.length < offset + 4 + SALT_LENGTH + GCM_IV_LENGTH + GCM_TAG_LENGTH) throw new BundleTamperedError('Bundle is truncated');
    // Sealing never runs a 64-hex key or a CryptoKey through PBKDF2, so neither can open this.
    if (typeof key !== 'string' || isRawHexKey(key)) keyMismatch('own format, passphrase', 'its passphrase, not a raw key or CryptoKey');
    const iterations = new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0);
    // Any count a sealer could have stored is read (the tag covers it); above the cap a hostile file could stall the reader.
    if (iterations < 1 || iterations > MAX_ITERATIONS) throw new UnsupportedBundleFormatError(`Bundle asks for ${iterations} PBKDF2 iterations (limit ${MAX_ITERATIONS})`);
    const salt = bytes.slice(offset + 4, offset + 4 + SALT_LENGTH);
    offset += 4 + SALT_LENGTH;
    aesKey = await pbkdf2AesGcmKey(key, salt, iterations);
  } else if (kdf === KDF_NONE) {
    aesKey = await rawOrCryptoKey(key, 'own format, raw key');
  } else {
    throw new UnsupportedBundleFormatError(`Unknown key derivation id ${String(kdf)}`);
  }
  if (bytes.length < offset + GCM_IV_LENGTH + GCM_TAG_LENGTH) throw new BundleTamperedError('Bundle is truncated');
  const header = bytes.slice(0, offset + GCM_IV_LENGTH);
  const iv = bytes.slice(offset, offset + GCM_IV_LENGTH);
  try {
    return await aesGcmOpen(aesKey, iv, bytes.slice(offset + GCM_IV_LENGTH), header);
  } catch (cause) {
    throw new BundleTamperedError(undefined, { cause });
  }
}
