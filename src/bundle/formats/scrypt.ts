// Upstream TypeScript scrypt layout: "GTXB" | 0x01 | salt 16 | iv 12 | tag 16 | ciphertext; AAD = first 21 bytes.
import { BundleTamperedError, UnsupportedBundleFormatError } from '../../errors.js';
import { aesGcmOpen, GCM_IV_LENGTH, GCM_TAG_LENGTH, importAesGcmKey } from '../../crypto/aes-gcm.js';
import { concatBytes, type Bytes } from '../../crypto/bytes.js';
import { utf8Encode } from '../../crypto/utf8.js';
import { isCryptoKey, keyMismatch, requireScrypt, type BundleKey, type ScryptFunction } from '../key.js';

const MAGIC = [0x47, 0x54, 0x58, 0x42]; // "GTXB"
const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1, dkLen: 32 } as const;
const HEADER = 21;

export function isScryptFormat(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && MAGIC.every((b, i) => bytes[i] === b);
}

export async function openScrypt(bytes: Uint8Array, key: BundleKey, scrypt: ScryptFunction | undefined): Promise<Bytes> {
  if (bytes.length < 5) throw new BundleTamperedError('Bundle is truncated');
  if (bytes[4] !== 1) throw new UnsupportedBundleFormatError(`GTXB version ${bytes[4]} is not supported`);
  if (typeof key !== 'string' || isCryptoKey(key)) keyMismatch('upstream scrypt layout', 'its passphrase');
  const derive = requireScrypt(scrypt);
  if (bytes.length < HEADER + GCM_IV_LENGTH + GCM_TAG_LENGTH) throw new BundleTamperedError('Bundle is truncated');
  const salt = bytes.slice(5, HEADER);
  const iv = bytes.slice(HEADER, HEADER + GCM_IV_LENGTH);
  const tag = bytes.subarray(HEADER + GCM_IV_LENGTH, HEADER + GCM_IV_LENGTH + GCM_TAG_LENGTH);
  const derived = new Uint8Array(await derive(utf8Encode(key), salt, { ...SCRYPT_PARAMS }));
  const aesKey = await importAesGcmKey(derived);
  try {
    return await aesGcmOpen(aesKey, iv, concatBytes(bytes.subarray(HEADER + GCM_IV_LENGTH + GCM_TAG_LENGTH), tag), bytes.slice(0, HEADER));
  } catch (cause) {
    throw new BundleTamperedError(undefined, { cause });
  }
}
