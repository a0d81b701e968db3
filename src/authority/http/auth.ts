import type { MiddlewareHandler } from 'hono';
import { AuthorityApiError } from '../api-error.js';
import { hashApiKey } from '../api-keys.js';
import type { Queryable } from '../db/types.js';
import type { AuthorityEnv } from '../context.js';

const unauthorized = (message: string) =>
  new AuthorityApiError(401, 'UNAUTHORIZED', message, { headers: { 'WWW-Authenticate': 'Bearer' } });

/** An active (not revoked) API key's developer and the key's hash, or null; looked up in the database on every call (no cache). */
export async function findApiKey(db: Queryable, apiKey: string): Promise<{ developerId: string; keyHash: string } | null> {
  const keyHash = await hashApiKey(apiKey);
  const rows = await db.query<{ developer_id: string }>('SELECT developer_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [keyHash]);
  return rows[0] ? { developerId: rows[0].developer_id, keyHash } : null;
}

/** `Authorization: Bearer <api key>` → the key's developer, or 401. */
export function requireApiKey(db: Queryable): MiddlewareHandler<AuthorityEnv> {
  return async (c, next) => {
    const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(c.req.header('Authorization') ?? '');
    if (!match) throw unauthorized('Missing "Authorization: Bearer <api key>" header');
    const key = await findApiKey(db, match[1]!);
    if (!key) throw unauthorized('Unknown or revoked API key');
    c.set('developerId', key.developerId);
    c.set('apiKeyHash', key.keyHash);
    await next();
  };
}
