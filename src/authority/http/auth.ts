import type { MiddlewareHandler } from 'hono';
import { AuthorityApiError } from '../api-error.js';
import { hashApiKey } from '../api-keys.js';
import type { Queryable } from '../db/types.js';
import type { AuthorityEnv } from '../context.js';

const unauthorized = (message: string) =>
  new AuthorityApiError(401, 'UNAUTHORIZED', message, { headers: { 'WWW-Authenticate': 'Bearer' } });

/** `Authorization: Bearer <api key>` → the key's developer, or 401. */
export function requireApiKey(db: Queryable): MiddlewareHandler<AuthorityEnv> {
  return async (c, next) => {
    const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(c.req.header('Authorization') ?? '');
    if (!match) throw unauthorized('Missing "Authorization: Bearer <api key>" header');
    const keyHash = await hashApiKey(match[1]!);
    const rows = await db.query<{ developer_id: string }>('SELECT developer_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [keyHash]);
    if (!rows[0]) throw unauthorized('Unknown or revoked API key');
    c.set('developerId', rows[0].developer_id);
    c.set('apiKeyHash', keyHash);
    await next();
  };
}
