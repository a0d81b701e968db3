/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { AuthorityContext } from '../../context.js';
import { findApiKey } from '../../http/auth.js';
import type { ConsoleEnv } from '../env.js';
import { formFields, requireCsrf, requireSession } from '../guards.js';
import { SignInPage } from '../pages/sign-in.js';
import { consolePaths } from '../paths.js';
import { renderPage } from '../render.js';
import { readSessionCookie, setSessionCookie, clearSessionCookie } from '../session-cookie.js';
import { closeSession, findSession, openSession } from '../session-store.js';

const API_KEY = /^\S{1,512}$/;

/** Sign in with an API key (checked as the API checks it), and sign out. */
export function sessionRoutes(app: Hono<ConsoleEnv>, ctx: AuthorityContext, sessionTtlMs: number): void {
  app.get('/sign-in', async (c) => {
    if (await findSession(ctx.db, readSessionCookie(c), ctx.now())) return c.redirect(consolePaths.bundles, 303);
    return renderPage(c, <SignInPage notice={c.req.query('signedOut') !== undefined ? 'Signed out.' : undefined} />);
  });

  app.post('/sign-in', async (c) => {
    const apiKey = (await formFields(c)).apiKey?.trim() ?? '';
    const key = API_KEY.test(apiKey) ? await findApiKey(ctx.db, apiKey) : null;
    if (!key) return renderPage(c, <SignInPage error="Unknown or revoked API key." />, 401);
    const previous = await findSession(ctx.db, readSessionCookie(c), ctx.now());
    if (previous) await closeSession(ctx.db, previous.tokenHash);
    const { token } = await openSession(ctx.db, key, ctx.now(), sessionTtlMs);
    setSessionCookie(ctx, c, token, sessionTtlMs / 1000);
    return c.redirect(consolePaths.bundles, 303);
  });

  app.post('/sign-out', requireSession(ctx), requireCsrf(), async (c) => {
    await closeSession(ctx.db, c.get('session').tokenHash);
    clearSessionCookie(ctx, c);
    return c.redirect(`${consolePaths.signIn}?signedOut=1`, 303);
  });
}
