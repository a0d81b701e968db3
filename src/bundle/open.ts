import { BundleTamperedError, InvalidBundleError, UnsupportedBundleFormatError } from '../errors.js';
import type { Bytes } from '../crypto/bytes.js';
import { utf8Decode } from '../crypto/utf8.js';
import { openLegacy } from './formats/legacy.js';
import { isOwnFormat, openOwn } from './formats/own.js';
import { isPythonFormat, openPython } from './formats/python.js';
import { isScryptFormat, openScrypt } from './formats/scrypt.js';
import { checkBundleKey, type BundleKey, type ScryptFunction } from './key.js';
import type { ConsentBundle } from './types.js';
import { validateBundle } from './validate.js';

/** Options of {@link openBundle} (and `loadBundle`). */
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

/** A failed open retried as legacy with a passphrase; the original error stands otherwise. */
function orLegacy(error: unknown, bytes: Uint8Array, key: BundleKey): Promise<Bytes> {
  if (typeof key !== 'string') throw error;
  return openLegacy(bytes, key).catch(() => Promise.reject(error));
}

async function decrypt(bytes: Uint8Array, key: BundleKey, options: OpenOptions): Promise<Bytes> {
  if (!isOwnFormat(bytes)) {
    // A legacy file has no magic: its random IV starts with "GTXB" (or "OCB", see
    // `decryptSealed`) once in 2^32 files. Before failing, try the passphrase as legacy.
    if (isScryptFormat(bytes)) return openScrypt(bytes, key, options.scrypt).catch((error: unknown) => orLegacy(error, bytes, key));
    if (isPythonFormat(bytes)) return openPython(bytes, key);
  }
  return decryptSealed(bytes, key);
}

/**
 * The layouts `sealBundle` writes, own and legacy. An own-format failure is retried as legacy
 * with a passphrase: a legacy file's random IV starts with "OCB" once in 2^24 files.
 */
async function decryptSealed(bytes: Uint8Array, key: BundleKey): Promise<Bytes> {
  if (!isOwnFormat(bytes)) return openLegacy(bytes, key);
  try {
    return await openOwn(bytes, key);
  } catch (error) {
    return orLegacy(error, bytes, key);
  }
}

async function open(bytes: Uint8Array, key: BundleKey, decryptWith: (bytes: Uint8Array, key: BundleKey) => Promise<Bytes>): Promise<ConsentBundle> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('openBundle needs the sealed bytes as a Uint8Array');
  if (bytes.length === 0) throw new BundleTamperedError('Bundle is empty');
  const plaintext = await decryptWith(bytes, checkBundleKey(key));
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Decode(plaintext));
  } catch {
    throw new InvalidBundleError('(bundle)', 'decrypted, but is not JSON');
  }
  return validateBundle(parsed);
}

/** Decrypts and validates a sealed bundle in any layout of PROTOCOL.md §4. */
export function openBundle(bytes: Uint8Array, key: BundleKey, options: OpenOptions = {}): Promise<ConsentBundle> {
  return open(bytes, key, (b, k) => decrypt(b, k, options));
}

/**
 * `openBundle` for bytes `sealBundle` made (own or legacy layout), as a store holding only
 * those reads them: the upstream Python and scrypt readers are left out of its bundle. A legacy
 * file whose random IV happens to start with "GTXB" is read as legacy straight away.
 */
export function openSealedBundle(bytes: Uint8Array, key: BundleKey): Promise<ConsentBundle> {
  return open(bytes, key, decryptSealed);
}

/**
 * `openBundle` for the own layout only, as a store that only ever writes it reads it (the
 * browser's: upstream's layouts come from its Node SDK, never a page), leaving the legacy,
 * Python and scrypt readers out of its bundle. Other bytes are `UNSUPPORTED_BUNDLE_FORMAT`.
 */
export function openOwnBundle(bytes: Uint8Array, key: BundleKey): Promise<ConsentBundle> {
  return open(bytes, key, (b, k) => {
    if (!isOwnFormat(b)) throw new UnsupportedBundleFormatError('Not a bundle this store wrote (own layout)');
    return openOwn(b, k);
  });
}
