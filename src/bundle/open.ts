import { BundleTamperedError, InvalidBundleError } from '../errors.js';
import type { Bytes } from '../crypto/bytes.js';
import { utf8Decode } from '../crypto/utf8.js';
import { openLegacy } from './formats/legacy.js';
import { isOwnFormat, openOwn } from './formats/own.js';
import { isPythonFormat, openPython } from './formats/python.js';
import { isScryptFormat, openScrypt } from './formats/scrypt.js';
import { checkBundleKey, type BundleKey, type ScryptFunction } from './key.js';
import type { ConsentBundle } from './types.js';
import { validateBundle } from './validate.js';

export interface OpenOptions {
  /** scrypt for upstream `GTXB` files; without it they fail with `UNSUPPORTED_KDF`. */
  scrypt?: ScryptFunction;
}

/** The sealed layouts of PROTOCOL.md §4. */
export type BundleFormat = 'own' | 'scrypt' | 'python' | 'legacy';

/** Which layout the bytes are in, from their first bytes (legacy has no magic: it is the rest). */
export function detectBundleFormat(bytes: Uint8Array): BundleFormat {
  if (isOwnFormat(bytes)) return 'own';
  if (isScryptFormat(bytes)) return 'scrypt';
  if (isPythonFormat(bytes)) return 'python';
  return 'legacy';
}

function decryptAs(format: BundleFormat, bytes: Uint8Array, key: BundleKey, options: OpenOptions): Promise<Bytes> {
  switch (format) {
    case 'own':
      return openOwn(bytes, key);
    case 'scrypt':
      return openScrypt(bytes, key, options.scrypt);
    case 'python':
      return openPython(bytes, key);
    default:
      return openLegacy(bytes, key);
  }
}

async function decrypt(bytes: Uint8Array, key: BundleKey, options: OpenOptions): Promise<Bytes> {
  const format = detectBundleFormat(bytes);
  try {
    return await decryptAs(format, bytes, key, options);
  } catch (error) {
    // A legacy file has no magic: its random IV starts with "OCB" once in 2^24 files (or
    // "GTXB"). Before failing, try the passphrase as legacy; the original error stands otherwise.
    if (format !== 'own' && format !== 'scrypt') throw error;
    if (typeof key !== 'string') throw error;
    return openLegacy(bytes, key).catch(() => Promise.reject(error));
  }
}

/** Decrypts and validates a sealed bundle in any layout of PROTOCOL.md §4. */
export async function openBundle(bytes: Uint8Array, key: BundleKey, options: OpenOptions = {}): Promise<ConsentBundle> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('openBundle needs the sealed bytes as a Uint8Array');
  if (bytes.length === 0) throw new BundleTamperedError('Bundle is empty');
  const plaintext = await decrypt(bytes, checkBundleKey(key), options);
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Decode(plaintext));
  } catch {
    throw new InvalidBundleError('(bundle)', 'decrypted, but is not JSON');
  }
  return validateBundle(parsed);
}
