import type { Context } from 'hono';

/** A success body: the payload's fields at the top level and repeated under `data` (PROTOCOL.md §5). */
export function respond(c: Context, payload: Record<string, unknown>, status: 200 | 201 = 200): Response {
  return c.json({ ...payload, data: payload }, status);
}
