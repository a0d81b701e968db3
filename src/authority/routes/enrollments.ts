import { Hono, type MiddlewareHandler } from 'hono';
import { AuthorityApiError } from '../api-error.js';
import type { AuthorityContext, AuthorityEnv } from '../context.js';
import { readAuditPublicKey } from '../device-auth/audit-public-key.js';
import { isEnrollmentCode } from '../device-auth/enrollment-code.js';
import { cancelEnrollment, createEnrollment, enrollmentJson, findEnrollment, redeemEnrollment, type NewEnrollment } from '../device-auth/enrollments.js';
import { baseUrl } from '../http/base-url.js';
import { asFields, optionalString, requiredString, scopeList, type Fields } from '../http/fields.js';
import { readJson } from '../http/read-json.js';
import { limitsField } from '../limits/limits-field.js';
import { respond } from '../http/respond.js';
import { parseTTL } from '../ttl.js';

const DAY_MS = 86_400_000;
const MAX_LIFETIME_MS = 365 * DAY_MS;
const MAX_CODE_TTL_MS = DAY_MS;

/** A duration field checked against its own maximum (`parseTTL` speaks of offlineTTL). */
function durationField(body: Record<string, unknown>, key: string, fallback: string, maxMs: number): number {
  try {
    return parseTTL(body[key] ?? fallback, maxMs);
  } catch (error) {
    if (error instanceof AuthorityApiError) throw new AuthorityApiError(error.status, 'INVALID_TTL', error.message.replace('offlineTTL', key));
    throw error;
  }
}

/**
 * What `POST /v1/enrollments` asks for, read from its fields and checked as the API checks them
 * (TTLs, scopes, lengths); the console's enrollment form goes through this too.
 */
export function readNewEnrollment(ctx: AuthorityContext, body: Fields): NewEnrollment {
  const offlineTtlMs = durationField(body, 'offlineTTL', '72h', ctx.maxOfflineTtlMs);
  const maxLifetimeMs = durationField(body, 'maxLifetime', '30d', MAX_LIFETIME_MS);
  if (maxLifetimeMs < offlineTtlMs) throw new AuthorityApiError(422, 'INVALID_TTL', 'maxLifetime must be at least offlineTTL');
  const scopes = scopeList(body);
  return {
    agentId: requiredString(body, 'agentId'),
    userId: requiredString(body, 'userId'),
    scopes,
    limits: limitsField(body.limits, scopes),
    offlineTtlMs,
    maxLifetimeMs,
    codeTtlMs: durationField(body, 'codeTTL', '10m', MAX_CODE_TTL_MS),
    deviceId: optionalString(body, 'deviceId') ?? null,
    devicePlatform: optionalString(body, 'devicePlatform') ?? null,
  };
}

/** `/v1/enrollments`: mint, read and cancel codes (API key); redeem one (device, no credential). */
export function enrollmentRoutes(ctx: AuthorityContext, limits: { create: MiddlewareHandler<AuthorityEnv>; redeem: MiddlewareHandler<AuthorityEnv> }): Hono<AuthorityEnv> {
  const app = new Hono<AuthorityEnv>();

  app.post('/redeem', limits.redeem, async (c) => {
    const body = asFields(await readJson(c));
    if (!isEnrollmentCode(body.code)) throw new AuthorityApiError(404, 'ENROLLMENT_NOT_FOUND', 'No enrollment has this code');
    const auditPublicKey = await readAuditPublicKey(body.auditPublicKey);
    const redemption = {
      code: body.code,
      auditPublicKey,
      deviceId: optionalString(body, 'deviceId') ?? null,
      devicePlatform: optionalString(body, 'devicePlatform') ?? null,
    };
    return respond(c, await redeemEnrollment(ctx, redemption, baseUrl(ctx, c)), 201);
  });

  app.post('/', limits.create, async (c) => {
    const enrollment = await createEnrollment(ctx, c.get('developerId'), readNewEnrollment(ctx, asFields(await readJson(c))));
    return respond(c, enrollment, 201);
  });

  app.get('/:id', async (c) => respond(c, enrollmentJson(await findEnrollment(ctx.db, c.get('developerId'), c.req.param('id')), ctx.now())));
  app.delete('/:id', async (c) => respond(c, await cancelEnrollment(ctx, c.get('developerId'), c.req.param('id'))));
  return app;
}
