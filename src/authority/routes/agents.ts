import { Hono } from 'hono';
import { AuthorityApiError, notFound } from '../api-error.js';
import type { AuthorityContext, AuthorityEnv } from '../context.js';
import { asFields, isCleanString, optionalString, requiredString, scopeList } from '../http/fields.js';
import { nextCursor, pageParams } from '../http/pagination.js';
import { readJson } from '../http/read-json.js';
import { respond } from '../http/respond.js';
import { newId } from '../ids.js';
import { agentJson, type AgentRow } from '../records.js';

type Row = AgentRow & { row_no: string | number } & Record<string, unknown>;

/** `/v1/agents`: register an agent with the scopes it may be granted, list and read them, deactivate one. */
export function agentRoutes(ctx: AuthorityContext): Hono<AuthorityEnv> {
  const app = new Hono<AuthorityEnv>();

  app.post('/', async (c) => {
    const body = asFields(await readJson(c));
    const name = requiredString(body, 'name', 128);
    const description = optionalString(body, 'description', 1024, 0) ?? '';
    const scopes = scopeList(body);
    const id = newId('ag');
    const at = new Date(ctx.now()).toISOString();
    const rows = await ctx.db.query<Row>(
      `INSERT INTO agents (id, developer_id, did, name, description, scopes, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $7) RETURNING *`,
      [id, c.get('developerId'), `did:offlineconsent:${id}`, name, description, JSON.stringify(scopes), at],
    );
    if (!rows[0]) throw new AuthorityApiError(500, 'INTERNAL_ERROR', 'Agent was not stored');
    return respond(c, agentJson(rows[0]), 201);
  });

  app.get('/', async (c) => {
    const { limit, before } = pageParams(c);
    const rows = await ctx.db.query<Row>(
      `SELECT * FROM agents WHERE developer_id = $1 AND ($2::bigint IS NULL OR row_no < $2::bigint) ORDER BY row_no DESC LIMIT $3`,
      [c.get('developerId'), before, limit + 1],
    );
    const { page, nextCursor: cursor } = nextCursor(rows, limit);
    return respond(c, { agents: page.map(agentJson), nextCursor: cursor });
  });

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const rows = isCleanString(id, 256) ? await ctx.db.query<Row>('SELECT * FROM agents WHERE id = $1 AND developer_id = $2', [id, c.get('developerId')]) : [];
    if (!rows[0]) throw notFound('Agent', 'AGENT_NOT_FOUND');
    return respond(c, agentJson(rows[0]));
  });

  // Deactivate: no new bundle or enrollment for it, and its bundles' refreshes are refused
  // (AGENT_INACTIVE, GRANT_INACTIVE); bundles already on devices run out at their deadlines.
  app.post('/:id/deactivate', async (c) => {
    const id = c.req.param('id');
    const at = new Date(ctx.now()).toISOString();
    const rows = isCleanString(id, 256)
      ? await ctx.db.query<Row>(`UPDATE agents SET status = 'inactive', updated_at = $3 WHERE id = $1 AND developer_id = $2 RETURNING *`, [id, c.get('developerId'), at])
      : [];
    if (!rows[0]) throw notFound('Agent', 'AGENT_NOT_FOUND');
    return respond(c, agentJson(rows[0]));
  });

  return app;
}
