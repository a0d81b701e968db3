import { Hono, type MiddlewareHandler } from 'hono';
import { AuthorityApiError, badRequest } from '../api-error.js';
import { BUNDLE_STATUSES, statusCondition } from '../bundle-list.js';
import { createBundle, findBundle, refreshBundle, resumeBundle, revokeBundle } from '../bundles.js';
import { readAuditPublicKey } from '../device-auth/audit-public-key.js';
import { deviceRefresh } from '../device-auth/device-refresh.js';
import { KeySpans, loadAuditKeys } from '../device-auth/key-spans.js';
import type { AuthorityContext, AuthorityEnv } from '../context.js';
import { baseUrl } from '../http/base-url.js';
import { auditPageParams } from '../http/audit-page.js';
import { asFields, isCleanString, optionalBoolean, optionalString, requiredString, scopeList } from '../http/fields.js';
import { nextCursor, pageParams } from '../http/pagination.js';
import { readJson } from '../http/read-json.js';
import { bundleLimitUsage } from '../limits/limit-usage.js';
import { limitsField } from '../limits/limits-field.js';
import { respond } from '../http/respond.js';
import { BUNDLE_COLUMNS, bundleJson, entryJson, revocationJson, type BundleRow, type EntryRow } from '../records.js';
import { parseTTL } from '../ttl.js';

type ListedRow = BundleRow & { row_no: string | number } & Record<string, unknown>;
const STATUSES: readonly string[] = BUNDLE_STATUSES;

/** `/v1/consent-bundles`: issue, list, read, audit trail, revocation status, refresh, revoke. */
export function bundleRoutes(ctx: AuthorityContext, createLimit: MiddlewareHandler<AuthorityEnv>, refreshLimit: MiddlewareHandler<AuthorityEnv>): Hono<AuthorityEnv> {
  const app = new Hono<AuthorityEnv>();

  app.post('/', createLimit, async (c) => {
    const body = asFields(await readJson(c));
    const agentId = requiredString(body, 'agentId');
    const userId = requiredString(body, 'userId');
    const scopes = scopeList(body);
    const ttlMs = parseTTL(body.offlineTTL ?? '72h', ctx.maxOfflineTtlMs);
    const algorithm = body.offlineAuditKeyAlgorithm ?? 'Ed25519';
    if (typeof algorithm !== 'string' || algorithm.toLowerCase() !== 'ed25519') {
      throw badRequest('offlineAuditKeyAlgorithm must be "Ed25519"');
    }
    const deviceId = optionalString(body, 'deviceId') ?? null;
    const devicePlatform = optionalString(body, 'devicePlatform') ?? null;
    const limits = limitsField(body.limits, scopes);
    const bundle = await createBundle(ctx, c.get('developerId'), { agentId, userId, scopes, ttlMs, deviceId, devicePlatform, limits }, baseUrl(ctx, c));
    return respond(c, { ...bundle }, 201);
  });

  app.get('/', async (c) => {
    const { limit, before } = pageParams(c);
    const status = c.req.query('status') ?? null;
    if (status !== null && !STATUSES.includes(status)) throw badRequest(`status must be one of ${STATUSES.join(', ')}`);
    const agentId = c.req.query('agentId') ?? null;
    if (agentId !== null && !isCleanString(agentId, 256)) throw badRequest('agentId is not an agent id');
    const now = ctx.now();
    const rows = await ctx.db.query<ListedRow>(
      `SELECT ${BUNDLE_COLUMNS} FROM bundles b JOIN agents a ON a.id = b.agent_id
       WHERE b.developer_id = $1
         AND ($2::bigint IS NULL OR b.row_no < $2::bigint)
         AND ($3::text IS NULL OR b.agent_id = $3)
         AND ${statusCondition('$4', '$5')}
       ORDER BY b.row_no DESC LIMIT $6`,
      [c.get('developerId'), before, agentId, status, new Date(now).toISOString(), limit + 1],
    );
    const { page, nextCursor: cursor } = nextCursor(rows, limit);
    return respond(c, { bundles: page.map((r) => bundleJson(r, now)), nextCursor: cursor });
  });

  app.get('/:id', async (c) => {
    const row = await findBundle(ctx.db, c.get('developerId'), c.req.param('id'));
    const spans = new KeySpans(await loadAuditKeys(ctx.db, row.id));
    const now = ctx.now();
    return respond(c, { ...bundleJson(row, now), auditKeySpans: spans.toJson(), limits: await bundleLimitUsage(ctx.db, row, now) });
  });

  // Entries in seq order, a page at a time to the end: `?afterSeq=N` (or the `cursor` a page
  // returned) and `limit` (default 1000); `flagged=true` keeps flagged entries only, `flag=NAME`
  // those with that flag (both through a partial index, never a scan of the whole trail).
  app.get('/:id/audit', async (c) => {
    const row = await findBundle(ctx.db, c.get('developerId'), c.req.param('id'));
    const { afterSeq, limit, flag, flagged } = auditPageParams(c);
    const filter = flag ? ` AND flags <> '[]' AND flags LIKE $4` : flagged ? ` AND flags <> '[]'` : '';
    const rows = await ctx.db.query<EntryRow & Record<string, unknown>>(
      `SELECT * FROM audit_entries WHERE bundle_id = $1 AND seq > $2::bigint${filter} ORDER BY seq LIMIT $3`,
      [row.id, afterSeq, limit + 1, ...(flag ? [`%"${flag}"%`] : [])],
    );
    const entries = rows.slice(0, limit).map(entryJson);
    const hasMore = rows.length > limit;
    const next = hasMore ? entries[entries.length - 1]!.seq : null;
    const limits = await bundleLimitUsage(ctx.db, row, ctx.now());
    return c.json({ entries, hasMore, nextAfterSeq: next, nextCursor: next === null ? null : String(next), limits });
  });

  app.get('/:id/revocation-status', async (c) => {
    const row = await findBundle(ctx.db, c.get('developerId'), c.req.param('id'));
    return c.json({ data: revocationJson(row, ctx.now()) });
  });

  app.post('/:id/refresh', refreshLimit, async (c) => {
    const body = asFields(await readJson(c, { allowEmpty: true }));
    const device = c.get('device');
    if (device) {
      const auditPublicKey = await readAuditPublicKey(body.auditPublicKey);
      return respond(c, await deviceRefresh(ctx, device, { head: device.head!, auditPublicKey }, baseUrl(ctx, c)));
    }
    if (body.auditPublicKey !== undefined) throw badRequest('A new auditPublicKey is sent by the device itself, with a device proof', 'DEVICE_PROOF_REQUIRED');
    const bundle = await refreshBundle(ctx, c.get('developerId'), c.req.param('id'), baseUrl(ctx, c));
    return respond(c, { ...bundle });
  });

  // The operator's answer to a fork: let the bundle refresh again (revoking it is the other answer).
  app.post('/:id/resume', async (c) => {
    if (c.get('device')) throw new AuthorityApiError(403, 'DEVICE_NOT_ALLOWED', 'Only the operator resumes a suspended bundle');
    const row = await resumeBundle(ctx, c.get('developerId'), c.req.param('id'));
    return respond(c, bundleJson(row, ctx.now()));
  });

  app.post('/:id/revoke', async (c) => {
    const body = asFields(await readJson(c, { allowEmpty: true }));
    const revokeGrant = optionalBoolean(body, 'revokeGrant') ?? false;
    const row = await revokeBundle(ctx, c.get('developerId'), c.req.param('id'), revokeGrant);
    return respond(c, revocationJson(row, ctx.now()));
  });

  return app;
}
