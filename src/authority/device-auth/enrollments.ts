import { AuthorityApiError, notFound } from '../api-error.js';
import { REVOKED_HEAD, agentForScopes, insertBundle } from '../bundles.js';
import type { AuthorityContext } from '../context.js';
import type { Queryable } from '../db/types.js';
import { isCleanString } from '../http/fields.js';
import { newId } from '../ids.js';
import type { IssuedBundle } from '../issue-bundle.js';
import { iso } from '../records.js';
import { limitsText, storedLimits } from '../limits/stored-limits.js';
import type { GrantLimit } from '../../verifier/limits.js';
import { generateEnrollmentCode, hashEnrollmentCode } from './enrollment-code.js';

/** What a code will be exchanged for, as the developer's backend asked. */
export interface NewEnrollment {
  agentId: string;
  userId: string;
  scopes: string[];
  /** The grant's limits, signed into the bundle the code becomes ([] or absent: none). */
  limits?: readonly GrantLimit[];
  offlineTtlMs: number;
  maxLifetimeMs: number;
  codeTtlMs: number;
  deviceId: string | null;
  devicePlatform: string | null;
}

/** An `enrollments` row as the drivers return it. */
export interface EnrollmentRow {
  id: string;
  developer_id: string;
  agent_id: string;
  user_id: string;
  scopes: string;
  offline_ttl_ms: number | string;
  max_lifetime_ms: number | string;
  device_id: string | null;
  device_platform: string | null;
  status: string;
  expires_at: Date | string;
  bundle_id: string | null;
  created_at: Date | string;
  redeemed_at: Date | string | null;
  cancelled_at: Date | string | null;
  /** JSON array of the grant's limits, or null for none. */
  limits: string | null;
}

/** A duration in the API's own spelling: hours up to a week ("72h"), then days ("30d"), else minutes or seconds. */
function duration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms <= 168 * 3_600_000) return `${ms / 3_600_000}h`;
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}

/** `pending` past its expiry reads as `expired`. */
function enrollmentStatus(row: EnrollmentRow, now: number): string {
  return row.status === 'pending' && new Date(row.expires_at).getTime() <= now ? 'expired' : row.status;
}

/** An enrollment as the API shows it (never the code). */
export function enrollmentJson(row: EnrollmentRow, now: number) {
  return {
    enrollmentId: row.id,
    status: enrollmentStatus(row, now),
    agentId: row.agent_id,
    userId: row.user_id,
    scopes: JSON.parse(row.scopes) as string[],
    limits: storedLimits(row.limits),
    offlineTTL: duration(Number(row.offline_ttl_ms)),
    maxLifetime: duration(Number(row.max_lifetime_ms)),
    deviceId: row.device_id,
    expiresAt: iso(row.expires_at),
    createdAt: iso(row.created_at),
    redeemedAt: row.redeemed_at === null ? null : iso(row.redeemed_at),
    cancelledAt: row.cancelled_at === null ? null : iso(row.cancelled_at),
    bundleId: row.bundle_id,
  };
}

/** Mints a single-use code for one consent; only its hash is stored. */
export async function createEnrollment(ctx: AuthorityContext, developerId: string, input: NewEnrollment) {
  await agentForScopes(ctx.db, developerId, input.agentId, input.scopes);
  const code = generateEnrollmentCode();
  const now = ctx.now();
  const rows = await ctx.db.query<EnrollmentRow & Record<string, unknown>>(
    `INSERT INTO enrollments (id, developer_id, agent_id, user_id, scopes, offline_ttl_ms, max_lifetime_ms, device_id, device_platform,
       code_hash, status, expires_at, created_at, limits)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12, $13) RETURNING *`,
    [newId('enr'), developerId, input.agentId, input.userId, JSON.stringify(input.scopes), input.offlineTtlMs, input.maxLifetimeMs,
      input.deviceId, input.devicePlatform, await hashEnrollmentCode(code), new Date(now + input.codeTtlMs).toISOString(), new Date(now).toISOString(),
      limitsText(input.limits)],
  );
  return { ...enrollmentJson(rows[0]!, now), code };
}

/** The developer's enrollment, or 404 `ENROLLMENT_NOT_FOUND`. */
export async function findEnrollment(db: Queryable, developerId: string, id: string, { forUpdate = false } = {}): Promise<EnrollmentRow> {
  const rows = isCleanString(id, 256)
    ? await db.query<EnrollmentRow & Record<string, unknown>>(`SELECT * FROM enrollments WHERE id = $1 AND developer_id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [id, developerId])
    : [];
  if (!rows[0]) throw notFound('Enrollment', 'ENROLLMENT_NOT_FOUND');
  return rows[0];
}

/** Cancels a code nobody redeemed; cancelling twice is fine, a redeemed one is 409 `ENROLLMENT_REDEEMED`. */
export async function cancelEnrollment(ctx: AuthorityContext, developerId: string, id: string) {
  return ctx.db.transaction(async (tx) => {
    const row = await findEnrollment(tx, developerId, id, { forUpdate: true });
    if (row.status === 'redeemed' || row.status === 'reused') {
      throw new AuthorityApiError(409, 'ENROLLMENT_REDEEMED', `The code was redeemed (bundle ${row.bundle_id}); revoke the bundle instead`, { details: { bundleId: row.bundle_id } });
    }
    const at = new Date(ctx.now()).toISOString();
    await tx.query(`UPDATE enrollments SET status = 'cancelled', cancelled_at = COALESCE(cancelled_at, $2) WHERE id = $1`, [id, at]);
    return enrollmentJson(await findEnrollment(tx, developerId, id), ctx.now());
  });
}

/** What the device sends with its code. */
export interface Redemption {
  code: string;
  auditPublicKey: string;
  deviceId: string | null;
  devicePlatform: string | null;
}

type RedeemOutcome = { bundle: IssuedBundle; enrollment: EnrollmentRow; lifetimeEndsAt: number } | { refused: AuthorityApiError };

/**
 * Exchanges a code for a bundle bound to the device's public key. A used code is refused
 * and the bundle it produced is revoked in the same transaction (a leaked code is detected).
 */
export async function redeemEnrollment(ctx: AuthorityContext, redemption: Redemption, baseUrl: string) {
  const codeHash = await hashEnrollmentCode(redemption.code);
  const outcome = await ctx.db.transaction(async (tx): Promise<RedeemOutcome> => {
    const rows = await tx.query<EnrollmentRow & Record<string, unknown>>('SELECT * FROM enrollments WHERE code_hash = $1 FOR UPDATE', [codeHash]);
    const row = rows[0];
    if (!row) throw new AuthorityApiError(404, 'ENROLLMENT_NOT_FOUND', 'No enrollment has this code');
    const now = ctx.now();
    const at = new Date(now).toISOString();
    if (row.status === 'redeemed' || row.status === 'reused') {
      await tx.query(`UPDATE enrollments SET status = 'reused' WHERE id = $1`, [row.id]);
      await tx.query(
        `UPDATE bundles SET status = 'revoked', revoked_at = COALESCE(revoked_at, $2::timestamptz), ${REVOKED_HEAD}, updated_at = $2::timestamptz WHERE id = $1`,
        [row.bundle_id, at],
      );
      return { refused: new AuthorityApiError(409, 'ENROLLMENT_REUSED', 'This code was already redeemed; the bundle it produced is now revoked', { details: { bundleId: row.bundle_id } }) };
    }
    if (row.status === 'cancelled') throw new AuthorityApiError(410, 'ENROLLMENT_CANCELLED', 'This enrollment was cancelled');
    if (enrollmentStatus(row, now) === 'expired') throw new AuthorityApiError(410, 'ENROLLMENT_EXPIRED', 'This code has expired; ask for a new one');
    const scopes = JSON.parse(row.scopes) as string[];
    const agent = await agentForScopes(tx, row.developer_id, row.agent_id, scopes);
    const lifetimeEndsAt = now + Number(row.max_lifetime_ms);
    const input = {
      agentId: row.agent_id,
      userId: row.user_id,
      scopes,
      ttlMs: Number(row.offline_ttl_ms),
      deviceId: row.device_id ?? redemption.deviceId,
      devicePlatform: row.device_platform ?? redemption.devicePlatform,
      limits: storedLimits(row.limits),
    };
    const bundle = await insertBundle(ctx, tx, agent, input, baseUrl, { enrollmentId: row.id, auditPublicKey: redemption.auditPublicKey, lifetimeEndsAt });
    await tx.query(`UPDATE enrollments SET status = 'redeemed', redeemed_at = $2, bundle_id = $3 WHERE id = $1`, [row.id, at, bundle.bundleId]);
    return { bundle, enrollment: row, lifetimeEndsAt };
  });
  if ('refused' in outcome) throw outcome.refused; // After the commit: the revocation stands.
  const { bundle, enrollment } = outcome;
  return {
    ...bundle,
    enrolled: true,
    enrollmentId: enrollment.id,
    auditKeySpans: [{ fromSeq: 1, toSeq: null, publicKey: bundle.offlineAuditKey.publicKey }],
  };
}
