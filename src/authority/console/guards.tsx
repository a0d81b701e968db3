/** @jsxImportSource hono/jsx */
// The checks in front of console handlers: same-origin posts, a live session, the CSRF token.
import type { Context, MiddlewareHandler } from 'hono';
import type { AuthorityContext } from '../context.js';
import { CSRF_FIELD, csrfTokenMatches, isSameOrigin } from './csrf.js';
import type { ConsoleEnv } from './env.js';
import { MessagePage } from './pages/message.js';
import { consolePaths } from './paths.js';
import { renderPage } from './render.js';
import { clearSessionCookie, readSessionCookie, sendsSessionCookie } from './session-cookie.js';
import { findSession } from './session-store.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The 403 page of a refused form: says only that it was refused. */
export function refused(c: Context<ConsoleEnv>): Response | Promise<Response> {
  const session = c.get('session') as ConsoleEnv['Variables']['session'] | undefined;
  return renderPage(c, <MessagePage title="Request refused" message="This form was not sent from this console's own pages, so nothing was changed." session={session} />, 403);
}

/** Refuses (403) every state-changing request whose `Origin` (or `Referer`) is not the console's own origin, before anything else runs. */
export function sameOriginPosts(ctx: AuthorityContext): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method) && !isSameOrigin(ctx, c)) return refused(c);
    await next();
  };
}

/**
 * A valid session from the cookie, looked up in the database (so any instance accepts it), or a
 * 303 to sign in for a missing, unknown, forged, expired or revoked-key one (dropping the cookie).
 */
export function requireSession(ctx: AuthorityContext): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const token = readSessionCookie(c);
    const session = await findSession(ctx.db, token, ctx.now());
    if (!session) {
      if (sendsSessionCookie(c)) clearSessionCookie(ctx, c);
      return c.redirect(consolePaths.signIn, 303);
    }
    c.set('session', session);
    c.set('developerId', session.developerId);
    c.set('apiKeyHash', session.apiKeyHash); // Rate limits count per API key, as the API's do.
    await next();
  };
}

/** The submitted form's text fields (files are ignored). */
export async function formFields(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (typeof value === 'string') out[key] = value;
  return out;
}

/** Refuses (403) a form of a signed-in session that does not carry the session's CSRF token. */
export function requireCsrf(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const fields = await formFields(c);
    if (!csrfTokenMatches(fields[CSRF_FIELD], c.get('session').csrfToken)) return refused(c);
    await next();
  };
}
