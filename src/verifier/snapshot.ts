import type { JWK } from 'jose';
import { subtle } from '../crypto/subtle.js';

/** The issuer's public keys, fetched while online, used to verify tokens offline. */
export interface JWKSSnapshot {
  /** Public RSA keys, each with a `kid` (and `alg: "RS256"`). */
  keys: JWK[];
  /** ISO-8601 time the snapshot was fetched. */
  fetchedAt: string;
  /** ISO-8601 time after which the snapshot is stale and verification fails closed. */
  validUntil: string;
}

/** True when `validUntil` has passed at `now` (ms), or cannot be parsed (fail closed). */
export function isSnapshotExpired(snapshot: JWKSSnapshot, now: number = Date.now()): boolean {
  const validUntil = Date.parse(snapshot?.validUntil);
  return !Number.isFinite(validUntil) || validUntil < now;
}

/** The snapshot's key usable for RS256 under `kid`: an RSA key whose `alg` is RS256 (or unset) and `use` is sig (or unset). */
export function findRs256Key(snapshot: JWKSSnapshot, kid: string): JWK | undefined {
  const keys = Array.isArray(snapshot?.keys) ? snapshot.keys : [];
  return keys.find(
    (k) =>
      k !== null &&
      typeof k === 'object' &&
      k.kid === kid &&
      k.kty === 'RSA' &&
      (k.alg === undefined || k.alg === 'RS256') &&
      (k.use === undefined || k.use === 'sig'),
  );
}

/**
 * Imports the snapshot's RS256 key for `kid`, or `null` when there is none. One Web Crypto call,
 * the same one (and the same checks on `ext` and `key_ops`) jose's `importJWK(jwk, 'RS256')` makes.
 */
export async function importKeyByKid(snapshot: JWKSSnapshot, kid: string): Promise<CryptoKey | null> {
  const jwk = findRs256Key(snapshot, kid);
  if (!jwk) return null;
  const { alg, use, ...keyData } = jwk;
  const { ext, key_ops: ops } = keyData;
  if (ext !== undefined && typeof ext !== 'boolean') throw new TypeError('"ext" (Extractable) Parameter must be a boolean');
  if (ops !== undefined && (!Array.isArray(ops) || ops.some((op) => typeof op !== 'string') || new Set(ops).size !== ops.length)) {
    throw new TypeError('"key_ops" (Key Operations) Parameter must be an array of unique strings');
  }
  const isPrivate = !!(jwk.d || jwk.priv);
  return subtle().importKey('jwk', keyData as JsonWebKey, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, ext ?? !isPrivate, (ops ?? [isPrivate ? 'sign' : 'verify']) as KeyUsage[]);
}
