// Upstream Python: ASCII base64 of [nonce 12][ciphertext][tag 16], key = the 32 bytes of a 64-hex key.
import { BundleTamperedError } from '../../errors.js';
import { aesGcmOpen, GCM_IV_LENGTH, GCM_TAG_LENGTH } from '../../crypto/aes-gcm.js';
import type { Bytes } from '../../crypto/bytes.js';
import { fromBase64 } from '../../crypto/base64.js';
import { rawOrCryptoKey, type BundleKey } from '../key.js';

const BASE64_TEXT = /^[A-Za-z0-9+/]+={0,2}\s*$/;

/** True when the bytes are base64 text, as the Python SDK writes. */
export function isPythonFormat(bytes: Uint8Array): boolean {
  if (bytes.length < 40) return false;
  for (const b of bytes) if (b > 0x7e) return false;
  return BASE64_TEXT.test(new TextDecoder().decode(bytes));
}

export async function openPython(bytes: Uint8Array, key: BundleKey): Promise<Bytes> {
  let raw: Bytes;
  try {
    raw = fromBase64(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new BundleTamperedError('Bundle base64 is damaged', { cause });
  }
  if (raw.length < GCM_IV_LENGTH + GCM_TAG_LENGTH + 1) throw new BundleTamperedError('Bundle is truncated');
  const aesKey = await rawOrCryptoKey(key, 'upstream Python layout');
  try {
    return await aesGcmOpen(aesKey, raw.slice(0, GCM_IV_LENGTH), raw.slice(GCM_IV_LENGTH));
  } catch (cause) {
    throw new BundleTamperedError(undefined, { cause });
  }
}
