/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { AuthorityContext } from '../../context.js';
import type { ConsoleEnv } from '../env.js';
import { requireSession } from '../guards.js';
import { AgentsPage } from '../pages/agents.js';
import { agentPage } from '../queries/agents.js';
import { readRowCursor } from '../queries/row-page.js';
import { renderPage } from '../render.js';

/** The agents page. */
export function agentRoutes(app: Hono<ConsoleEnv>, ctx: AuthorityContext): void {
  app.get('/agents', requireSession(ctx), async (c) => {
    const session = c.get('session');
    const page = await agentPage(ctx.db, session.developerId, readRowCursor((n) => c.req.query(n)));
    return renderPage(c, <AgentsPage session={session} page={page} />);
  });
}
