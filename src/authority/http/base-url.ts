import type { Context } from 'hono';
import type { AuthorityContext } from '../context.js';

/** Where clients reach this authority: the configured `publicUrl`, else the origin the request came to. */
export function baseUrl(ctx: AuthorityContext, c: Context): string {
  return ctx.publicUrl ?? new URL(c.req.url).origin;
}
