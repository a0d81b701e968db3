import type { Context } from 'hono';
import { badRequest } from '../api-error.js';

/**
 * The request body parsed as JSON. `JSON.parse` keeps key order, which the audit hash of
 * `metadata` depends on. An empty body is `{}` when `emptyAs` allows it (upstream clients
 * POST refresh with no body).
 */
export async function readJson(c: Context, { allowEmpty = false } = {}): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') {
    if (allowEmpty) return {};
    throw badRequest('Request body is empty; expected JSON', 'INVALID_JSON');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('Request body is not valid JSON', 'INVALID_JSON');
  }
}
