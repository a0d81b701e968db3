import { Hono, type MiddlewareHandler } from 'hono';
import { AuthorityApiError, badRequest } from '../api-error.js';
import type { AuthorityContext, AuthorityEnv } from '../context.js';
import { baseUrl } from '../http/base-url.js';
import { asFields, optionalString, requiredString } from '../http/fields.js';
import { readJson } from '../http/read-json.js';
import { respond } from '../http/respond.js';
import { syncBatch } from '../sync/sync-batch.js';

/** `POST /v1/audit/offline-sync` (PROTOCOL.md §5). */
export function syncRoutes(ctx: AuthorityContext, syncLimit: MiddlewareHandler<AuthorityEnv>): Hono<AuthorityEnv> {
  const app = new Hono<AuthorityEnv>();
  app.post('/offline-sync', syncLimit, async (c) => {
    const body = asFields(await readJson(c));
    const bundleId = requiredString(body, 'bundleId');
    const device = c.get('device');
    if (device && device.bundleId !== bundleId) throw new AuthorityApiError(403, 'DEVICE_BUNDLE_MISMATCH', "A device proof syncs only its own bundle's trail");
    const deviceId = optionalString(body, 'deviceId') ?? null;
    if (!Array.isArray(body.entries)) throw badRequest('entries must be an array');
    const result = await syncBatch(ctx, c.get('developerId'), { bundleId, deviceId, entries: body.entries, head: device?.head ?? null }, baseUrl(ctx, c));
    return respond(c, { ...result });
  });
  return app;
}
