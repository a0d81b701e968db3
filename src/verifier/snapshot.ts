import { importJWK, type JWK } from 'jose';

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

/** Imports the snapshot's RS256 key for `kid`, or `null` when there is none. */
export async function importKeyByKid(snapshot: JWKSSnapshot, kid: string): Promise<CryptoKey | null> {
  const jwk = findRs256Key(snapshot, kid);
  if (!jwk) return null;
  return (await importJWK({ ...jwk, alg: 'RS256' }, 'RS256')) as CryptoKey;
}
