import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Answers with a whole HTML page (doctype first) rendered from a console page component. */
export function renderPage(c: Context, page: Child, status: ContentfulStatusCode = 200): Response | Promise<Response> {
  return c.html(html`<!doctype html>${page}`, status);
}
