/** @jsxImportSource hono/jsx */
// The operator's web console at /console: server-rendered pages, no script, one stylesheet.
import { Hono, type MiddlewareHandler } from 'hono';
import { AuthorityApiError } from '../api-error.js';
import type { AuthorityContext, AuthorityEnv } from '../context.js';
import { parseTTL } from '../ttl.js';
import type { ConsoleEnv } from './env.js';
import { sameOriginPosts } from './guards.js';
import type { ConsoleOptions } from './options.js';
import { MessagePage } from './pages/message.js';
import { consolePaths } from './paths.js';
import { renderPage } from './render.js';
import { agentRoutes } from './routes/agent-routes.js';
import { bundleRoutes } from './routes/bundle-routes.js';
import { enrollRoutes } from './routes/enroll-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { securityHeaders } from './security-headers.js';
import { readSessionCookie } from './session-cookie.js';
import { findSession } from './session-store.js';
import { CONSOLE_CSS } from './styles.js';

const MAX_SESSION_MS = 30 * 86_400_000;

/** The session lifetime in ms from `sessionTTL` (default 8 h, at most 30 d); a TypeError for a bad value. */
export function sessionTtlMs(options: ConsoleOptions): number {
  try {
    return parseTTL(options.sessionTTL ?? '8h', MAX_SESSION_MS);
  } catch (error) {
    throw new TypeError(`console.sessionTTL must be a duration like "8h" of at most 30d: ${(error as Error).message.replace('offlineTTL', 'sessionTTL')}`);
  }
}

/**
 * The console as a Hono app to mount at `/console`, its sessions lasting `ttlMs` (see
 * {@link sessionTtlMs}). `enrollLimit` is the rate limit of `POST /v1/enrollments`, so codes
 * minted here count against the same per-key budget.
 */
export function consoleApp(ctx: AuthorityContext, ttlMs: number, enrollLimit: MiddlewareHandler<AuthorityEnv>): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.use(securityHeaders());
  app.use(sameOriginPosts(ctx));
  app.onError((error, c) => {
    if (!(error instanceof AuthorityApiError)) throw error;
    const session = c.get('session') as ConsoleEnv['Variables']['session'] | undefined;
    const title = error.status === 404 ? 'Not found' : error.status === 429 ? 'Too many requests' : 'Request refused';
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return renderPage(c, <MessagePage title={title} message={error.message} session={session} />, error.status);
  });

  app.get('/', (c) => c.redirect(consolePaths.bundles, 303));
  app.get('/console.css', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(CONSOLE_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });
  sessionRoutes(app, ctx, ttlMs);
  agentRoutes(app, ctx);
  bundleRoutes(app, ctx);
  enrollRoutes(app, ctx, enrollLimit);
  app.all('*', async (c) => {
    if (c.req.method === 'GET' && c.req.path === `${consolePaths.home}/`) return c.redirect(consolePaths.bundles, 303);
    const session = (await findSession(ctx.db, readSessionCookie(c), ctx.now())) ?? undefined;
    return renderPage(c, <MessagePage title="Not found" message="There is no console page at this address." session={session} />, 404);
  });
  return app;
}
