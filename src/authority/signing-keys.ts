import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Db, Queryable } from './db/types.js';

// Serialises key creation and rotation across authority processes sharing one database.
const SIGNING_KEY_LOCK = '7308183241120502';

/** The RS256 key tokens are signed with now. */
export interface ActiveSigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function insertNewKey(tx: Queryable, now: number): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const [pub, priv] = await Promise.all([exportJWK(publicKey), exportJWK(privateKey)]);
  const kid = await calculateJwkThumbprint(pub); // RFC 7638: stable, derived from the key itself.
  const publicJwk: JWK = { kty: pub.kty!, n: pub.n!, e: pub.e!, kid, alg: 'RS256', use: 'sig' };
  await tx.query('INSERT INTO signing_keys (kid, private_jwk, public_jwk, created_at) VALUES ($1, $2, $3, $4)', [
    kid,
    JSON.stringify({ ...priv, kid, alg: 'RS256' }),
    JSON.stringify(publicJwk),
    new Date(now).toISOString(),
  ]);
  return kid;
}

/** Generates the first RS256 key unless one is active already (first start). */
export async function ensureSigningKey(db: Db, now: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [SIGNING_KEY_LOCK]);
    const active = await tx.query('SELECT kid FROM signing_keys WHERE retired_at IS NULL');
    if (active.length === 0) await insertNewKey(tx, now);
  });
}

/**
 * Retires the active key and makes a new one. The retired key stays in the JWKS until the
 * last token it signed expires, so bundles already issued keep verifying.
 */
export async function rotateSigningKey(db: Db, now: number): Promise<{ kid: string; retiredKid: string | null }> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [SIGNING_KEY_LOCK]);
    const retired = await tx.query<{ kid: string }>(
      'UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL RETURNING kid',
      [new Date(now).toISOString()],
    );
    const kid = await insertNewKey(tx, now);
    return { kid, retiredKid: retired[0]?.kid ?? null };
  });
}

/** Imported private keys by `kid`, one cache per authority instance. */
export type SigningKeyCache = Map<string, Promise<CryptoKey>>;

/**
 * The active key, read from the database on every issue so that a rotation made by another
 * process is followed at once. Imported keys are cached by `kid`.
 */
export async function activeSigningKey(db: Queryable, imported: SigningKeyCache): Promise<ActiveSigningKey> {
  const rows = await db.query<{ kid: string; private_jwk: string; public_jwk: string }>(
    'SELECT kid, private_jwk, public_jwk FROM signing_keys WHERE retired_at IS NULL',
  );
  const row = rows[0];
  if (!row) throw new Error('No active signing key (the authority was not initialised)');
  let key = imported.get(row.kid);
  if (!key) {
    key = importJWK(JSON.parse(row.private_jwk) as JWK, 'RS256') as Promise<CryptoKey>;
    imported.set(row.kid, key);
  }
  return { kid: row.kid, privateKey: await key, publicJwk: JSON.parse(row.public_jwk) as JWK };
}

/** Records that `kid` signed a token valid until `exp`, which keeps the key published until then. */
export async function noteTokenExpiry(db: Queryable, kid: string, exp: Date): Promise<void> {
  await db.query('UPDATE signing_keys SET last_token_exp = GREATEST(COALESCE(last_token_exp, $2::timestamptz), $2::timestamptz) WHERE kid = $1', [
    kid,
    exp.toISOString(),
  ]);
}

/** The public keys to publish: the active one and every retired key whose tokens have not all expired. */
export async function publishedKeys(db: Queryable, now: number): Promise<JWK[]> {
  const rows = await db.query<{ public_jwk: string }>(
    'SELECT public_jwk FROM signing_keys WHERE retired_at IS NULL OR last_token_exp > $1::timestamptz ORDER BY created_at DESC, kid',
    [new Date(now).toISOString()],
  );
  return rows.map((r) => JSON.parse(r.public_jwk) as JWK);
}
