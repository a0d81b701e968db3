import { randomBytes, sha256Hex, toBase64Url } from '../crypto/index.js';
import type { Db } from './db/types.js';
import { newId } from './ids.js';

/** Shortest API key accepted from configuration: the stored SHA-256 is only safe for high-entropy keys. */
export const MIN_API_KEY_LENGTH = 24;

/** A fresh API key: `oc_` and 32 random bytes in base64url. */
export function generateApiKey(): string {
  return `oc_${toBase64Url(randomBytes(32))}`;
}

/** What the database keeps instead of the key. */
export function hashApiKey(apiKey: string): Promise<string> {
  return sha256Hex(apiKey);
}

/** A new developer (tenant) with one API key; the plain key is returned once and never stored. */
export async function createDeveloper(
  db: Db,
  { name = 'developer', apiKey = generateApiKey(), now = Date.now() }: { name?: string; apiKey?: string; now?: number } = {},
): Promise<{ developerId: string; apiKey: string; created: boolean }> {
  if (apiKey.length < MIN_API_KEY_LENGTH) {
    throw new TypeError(`API keys must be at least ${MIN_API_KEY_LENGTH} characters (use a random one, e.g. from \`authority init\`)`);
  }
  const keyHash = await hashApiKey(apiKey);
  const at = new Date(now).toISOString();
  return db.transaction(async (tx) => {
    // Two processes bootstrapping the same configured key: the second finds the first's developer.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [keyHash]);
    const existing = await tx.query<{ developer_id: string }>('SELECT developer_id FROM api_keys WHERE key_hash = $1', [keyHash]);
    if (existing[0]) return { developerId: existing[0].developer_id, apiKey, created: false };
    const developerId = newId('dev');
    await tx.query('INSERT INTO developers (id, name, created_at) VALUES ($1, $2, $3)', [developerId, name, at]);
    await tx.query('INSERT INTO api_keys (key_hash, developer_id, created_at) VALUES ($1, $2, $3)', [keyHash, developerId, at]);
    return { developerId, apiKey, created: true };
  });
}
