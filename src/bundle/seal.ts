import type { Bytes } from '../crypto/bytes.js';
import { utf8Encode } from '../crypto/utf8.js';
import { sealLegacy } from './formats/legacy.js';
import { sealOwn } from './formats/own.js';
import { checkBundleKey, isCryptoKey, type BundleKey } from './key.js';
import type { ConsentBundle } from './types.js';
import { validateBundle } from './validate.js';

/** Options of {@link sealBundle}: the layout and its key derivation. */
export interface SealOptions {
  /** `'own'` (default): versioned, authenticated header. `'legacy'`: upstream 0.1.x layout, for old readers. */
  format?: 'own' | 'legacy';
  /** PBKDF2 iterations for a passphrase (default 600,000; stored in the header). */
  iterations?: number;
}

/** The bundle with `hwmRequired: true` unless it says otherwise (bundles created, redeemed or sealed by this version carry it). */
export function withHwmRequired<B extends ConsentBundle>(bundle: B): B {
  return bundle.hwmRequired === undefined ? { ...bundle, hwmRequired: true } : bundle;
}

/**
 * Encrypts a bundle with AES-256-GCM. A passphrase goes through PBKDF2-SHA-256 with a
 * random salt; a 64-hex key or an AES-GCM `CryptoKey` is used as is. A bundle without
 * `hwmRequired` is sealed with `hwmRequired: true`.
 */
export function sealBundle(bundle: ConsentBundle, key: BundleKey, options: SealOptions = {}): Promise<Bytes> {
  return seal(bundle, key, options, sealLegacy);
}

/** {@link sealBundle} for the own layout only (`format: 'legacy'` is refused), so its bundle leaves the legacy writer out. */
export function sealOwnBundle(bundle: ConsentBundle, key: BundleKey, options: SealOptions = {}): Promise<Bytes> {
  return seal(bundle, key, options);
}

async function seal(bundle: ConsentBundle, key: BundleKey, options: SealOptions, legacy?: typeof sealLegacy): Promise<Bytes> {
  validateBundle(bundle);
  if (isCryptoKey(bundle.offlineAuditKey.privateKey)) throw new TypeError('A bundle whose audit key is a CryptoKey cannot be serialised; seal the PEM form');
  // Sealed by this version: its log keeps a high-water mark, so one missing later is refused.
  const plaintext = utf8Encode(JSON.stringify(withHwmRequired(bundle)));
  const checked = checkBundleKey(key);
  if (options.format === 'legacy' && legacy) return legacy(plaintext, checked);
  if (options.format !== undefined && options.format !== 'own') throw new TypeError(`Unknown bundle format ${String(options.format)}`);
  return sealOwn(plaintext, checked, options.iterations);
}
