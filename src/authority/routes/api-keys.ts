import { Hono } from 'hono';
import { AuthorityApiError, notFound } from '../api-error.js';
import { generateApiKey, hashApiKey } from '../api-keys.js';
import type { AuthorityContext, AuthorityEnv } from '../context.js';
import { respond } from '../http/respond.js';
import { iso, isoOrNull } from '../records.js';

type KeyRow = { key_hash: string; created_at: string | Date; revoked_at: string | Date | null };

/** The public name of a key: a prefix of its SHA-256 (the key itself is never stored). */
const keyId = (keyHash: string) => `key_${keyHash.slice(0, 16)}`;

/**
 * `/v1/api-keys`: a developer's API keys. Create one (the plain key is answered once), list them
 * (ids and dates, never a key), revoke one. Every request looks its key up in the database, so
 * a revoked key is refused at once by every instance sharing it. The last active key cannot be
 * revoked: that would lock the developer out.
 */
export function apiKeyRoutes(ctx: AuthorityContext): Hono<AuthorityEnv> {
  const app = new Hono<AuthorityEnv>();

  app.post('/', async (c) => {
    const apiKey = generateApiKey();
    const keyHash = await hashApiKey(apiKey);
    const at = new Date(ctx.now()).toISOString();
    await ctx.db.query('INSERT INTO api_keys (key_hash, developer_id, created_at) VALUES ($1, $2, $3)', [keyHash, c.get('developerId'), at]);
    return respond(c, { keyId: keyId(keyHash), apiKey, createdAt: at }, 201);
  });

  app.get('/', async (c) => {
    const rows = await ctx.db.query<KeyRow>('SELECT key_hash, created_at, revoked_at FROM api_keys WHERE developer_id = $1 ORDER BY created_at, key_hash', [c.get('developerId')]);
    const current = c.get('apiKeyHash');
    return respond(c, { apiKeys: rows.map((r) => ({ keyId: keyId(r.key_hash), createdAt: iso(r.created_at), revokedAt: isoOrNull(r.revoked_at), current: r.key_hash === current })) });
  });

  app.post('/:keyId/revoke', async (c) => {
    const wanted = c.req.param('keyId');
    if (!/^key_[0-9a-f]{16}$/.test(wanted)) throw notFound('API key', 'API_KEY_NOT_FOUND');
    const developerId = c.get('developerId');
    const revoked = await ctx.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`api-keys:${developerId}`]);
      const rows = await tx.query<KeyRow>('SELECT key_hash, created_at, revoked_at FROM api_keys WHERE developer_id = $1 AND key_hash LIKE $2', [developerId, `${wanted.slice(4)}%`]);
      const row = rows[0];
      if (!row || rows.length > 1) throw notFound('API key', 'API_KEY_NOT_FOUND');
      if (row.revoked_at !== null) return row;
      const active = await tx.query<{ n: number | string }>('SELECT count(*) AS n FROM api_keys WHERE developer_id = $1 AND revoked_at IS NULL', [developerId]);
      if (Number(active[0]!.n) <= 1) throw new AuthorityApiError(409, 'LAST_API_KEY', 'This is the last active API key; create another first');
      const at = new Date(ctx.now()).toISOString();
      const updated = await tx.query<KeyRow>('UPDATE api_keys SET revoked_at = $1 WHERE key_hash = $2 RETURNING key_hash, created_at, revoked_at', [at, row.key_hash]);
      return updated[0]!;
    });
    return respond(c, { keyId: keyId(revoked.key_hash), createdAt: iso(revoked.created_at), revokedAt: isoOrNull(revoked.revoked_at) });
  });

  return app;
}
