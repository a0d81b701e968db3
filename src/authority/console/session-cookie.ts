import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AuthorityContext } from '../context.js';

/** Name of the console's session cookie. */
export const SESSION_COOKIE = 'oc_console';
/** The path the cookie is sent to: the console only, never the API. */
export const CONSOLE_PATH = '/console';

/** Whether the cookie gets `Secure`: the request came over HTTPS, or the authority's public URL is https. */
export function isSecureRequest(ctx: AuthorityContext, c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || (ctx.publicUrl?.startsWith('https:') ?? false);
}

/** The session token the request's cookie carries, if any. */
export function readSessionCookie(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

/** Whether the request sends a session cookie at all, even one whose value is not a valid cookie value. */
export function sendsSessionCookie(c: Context): boolean {
  return new RegExp(`(?:^|;)\\s*${SESSION_COOKIE}=`).test(c.req.header('Cookie') ?? '');
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, Path=/console, Secure over HTTPS, expiring with the session. */
export function setSessionCookie(ctx: AuthorityContext, c: Context, token: string, maxAgeSeconds: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: CONSOLE_PATH,
    secure: isSecureRequest(ctx, c),
    maxAge: Math.max(1, Math.floor(maxAgeSeconds)),
  });
}

/** Tells the browser to drop the session cookie. */
export function clearSessionCookie(ctx: AuthorityContext, c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: CONSOLE_PATH, httpOnly: true, sameSite: 'Strict', secure: isSecureRequest(ctx, c) });
}
