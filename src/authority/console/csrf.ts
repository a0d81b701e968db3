// Cross-site request forgery defences: every state-changing form carries a token derived from the
// session's secret, and the request must come from the console's own origin.
import type { Context } from 'hono';
import { equalBytes, subtle, toBase64Url, utf8Encode } from '../../crypto/index.js';
import type { AuthorityContext } from '../context.js';

/** Name of the hidden form field that carries the CSRF token. */
export const CSRF_FIELD = 'csrf';

/**
 * The session's CSRF token: HMAC-SHA-256 of a fixed label under the session token. Nothing more
 * is stored, every instance derives the same token, and without the cookie's token it cannot be made.
 */
export async function csrfTokenFor(sessionToken: string): Promise<string> {
  const key = await subtle().importKey('raw', utf8Encode(sessionToken), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toBase64Url(new Uint8Array(await subtle().sign('HMAC', key, utf8Encode('offline-consent console csrf v1'))));
}

/** Whether a submitted token equals the session's, compared in constant time. */
export function csrfTokenMatches(sent: unknown, expected: string): boolean {
  if (typeof sent !== 'string' || sent.length !== expected.length) return false;
  return equalBytes(utf8Encode(sent), utf8Encode(expected));
}

/** The origin a request came from: its `Origin` header, else its `Referer`'s origin; null when neither says. */
export function requestOrigin(c: Context): string | null {
  const origin = c.req.header('Origin');
  if (origin !== undefined) return origin;
  const referer = c.req.header('Referer');
  if (referer === undefined) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}

/**
 * Whether a request was sent by a page of the console itself: its origin (`Origin`, else
 * `Referer`) is the authority's public URL or the origin the request was addressed to.
 * `Origin: null`, a foreign origin, or no origin at all is refused.
 */
export function isSameOrigin(ctx: AuthorityContext, c: Context): boolean {
  const origin = requestOrigin(c);
  if (origin === null || origin === 'null') return false;
  const own = [new URL(c.req.url).origin, ...(ctx.publicUrl ? [new URL(ctx.publicUrl).origin] : [])];
  return own.includes(origin);
}
