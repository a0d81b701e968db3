import { OfflineConsentError } from '../errors.js';
import { importEd25519PrivateKey, importEd25519PublicKey, type Ed25519KeyInput } from '../crypto/ed25519.js';

/**
 * The bundle's `offlineAuditKey` ({ publicKey, privateKey, algorithm } as PEM), JWKs, or a
 * `CryptoKeyPair` (e.g. a non-extractable device key).
 */
export interface AuditSigningKey {
  /** The public half: SPKI PEM, a JWK or a `CryptoKey`. */
  publicKey: Ed25519KeyInput;
  /** The private half, which signs every entry: PKCS#8 PEM, a JWK or a `CryptoKey`. */
  privateKey: Ed25519KeyInput;
  /** `Ed25519` (any case) when given. */
  algorithm?: string;
}

/**
 * Throws `INVALID_KEY` (naming Ed25519) for a key whose `algorithm` is given and is not Ed25519.
 * Synchronous, so `createOfflineAuditLog` refuses such a key before it returns, as upstream does.
 */
export function assertEd25519Algorithm(key: unknown): void {
  if (!key || typeof key !== 'object') return;
  const algorithm = (key as { algorithm?: unknown }).algorithm;
  if (algorithm !== undefined && String(algorithm).toLowerCase() !== 'ed25519') {
    throw new OfflineConsentError(`Audit signing key algorithm must be Ed25519, got ${String(algorithm)}`, 'INVALID_KEY');
  }
}

/** Imports both halves once; every entry is then signed with the same `CryptoKey`. */
export async function importAuditSigningKey(key: AuditSigningKey): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }> {
  if (!key || typeof key !== 'object') throw new OfflineConsentError('signingKey must be { publicKey, privateKey }', 'INVALID_KEY');
  assertEd25519Algorithm(key);
  const [privateKey, publicKey] = await Promise.all([importEd25519PrivateKey(key.privateKey), importEd25519PublicKey(key.publicKey)]);
  return { privateKey, publicKey };
}
