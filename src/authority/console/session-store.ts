// Console sessions in the database, so every instance sharing it accepts them. Only the SHA-256 of
// the random token is stored; the cookie holds the token itself.
import { randomBytes, sha256Hex, toBase64Url } from '../../crypto/index.js';
import type { Queryable } from '../db/types.js';
import { csrfTokenFor } from './csrf.js';
import type { ConsoleSession } from './env.js';

/** The shape of a token this console issues (32 random bytes, base64url); anything else is never looked up. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Opens a session for an API key that was just checked; returns the token for the cookie. Expired sessions are swept on the way. */
export async function openSession(db: Queryable, key: { developerId: string; keyHash: string }, now: number, ttlMs: number): Promise<{ token: string; expiresAt: number }> {
  const token = toBase64Url(randomBytes(32));
  const expiresAt = now + ttlMs;
  await db.query('DELETE FROM console_sessions WHERE expires_at <= $1::timestamptz', [new Date(now).toISOString()]);
  await db.query(
    'INSERT INTO console_sessions (token_hash, developer_id, api_key_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [await sha256Hex(token), key.developerId, key.keyHash, new Date(now).toISOString(), new Date(expiresAt).toISOString()],
  );
  return { token, expiresAt };
}

/**
 * The session a cookie's token opens, or null: unknown, malformed, expired, or opened with an
 * API key that has since been revoked (checked on every request, so revocation ends it at once).
 */
export async function findSession(db: Queryable, token: string | undefined, now: number): Promise<ConsoleSession | null> {
  if (token === undefined || !TOKEN.test(token)) return null;
  const tokenHash = await sha256Hex(token);
  const rows = await db.query<{ developer_id: string; api_key_hash: string; name: string; expires_at: Date | string }>(
    `SELECT s.developer_id, s.api_key_hash, d.name, s.expires_at
     FROM console_sessions s
     JOIN api_keys k ON k.key_hash = s.api_key_hash AND k.revoked_at IS NULL
     JOIN developers d ON d.id = s.developer_id
     WHERE s.token_hash = $1 AND s.expires_at > $2::timestamptz`,
    [tokenHash, new Date(now).toISOString()],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    tokenHash,
    developerId: row.developer_id,
    developerName: row.name,
    apiKeyHash: row.api_key_hash,
    csrfToken: await csrfTokenFor(token),
    expiresAt: new Date(row.expires_at).getTime(),
  };
}

/** Deletes a session (sign out): its cookie opens nothing afterwards, on any instance. */
export async function closeSession(db: Queryable, tokenHash: string): Promise<void> {
  await db.query('DELETE FROM console_sessions WHERE token_hash = $1', [tokenHash]);
}
