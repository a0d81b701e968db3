import { GENESIS_HASH } from '../audit/hash.js';
import { AuthorityApiError, notFound } from './api-error.js';
import type { AuthorityContext } from './context.js';
import type { Queryable } from './db/types.js';
import { isCleanString } from './http/fields.js';
import { newId } from './ids.js';
import { issueBundle, type IssuedBundle } from './issue-bundle.js';
import { limitsText, storedLimits } from './limits/stored-limits.js';
import type { GrantLimit } from '../verifier/limits.js';
import { BUNDLE_COLUMNS, bundleStatus, type AgentRow, type BundleRow } from './records.js';

/** What a new bundle grants, as the API (or a redeemed enrollment) asked for it. */
export interface NewBundle {
  agentId: string;
  userId: string;
  scopes: string[];
  ttlMs: number;
  deviceId: string | null;
  devicePlatform: string | null;
  /** The grant's limits (checked with `limitsField`); none when absent. */
  limits?: readonly GrantLimit[];
}

/** The developer's bundle row (locked for the transaction when `forUpdate`), or 404. */
export async function findBundle(db: Queryable, developerId: string, bundleId: string, { forUpdate = false } = {}): Promise<BundleRow> {
  if (!isCleanString(bundleId, 256)) throw notFound('Bundle', 'BUNDLE_NOT_FOUND'); // No id we issue looks like that.
  const rows = await db.query<BundleRow & Record<string, unknown>>(
    `SELECT ${BUNDLE_COLUMNS} FROM bundles b JOIN agents a ON a.id = b.agent_id
     WHERE b.id = $1 AND b.developer_id = $2${forUpdate ? ' FOR UPDATE OF b' : ''}`,
    [bundleId, developerId],
  );
  if (!rows[0]) throw notFound('Bundle', 'BUNDLE_NOT_FOUND');
  return rows[0];
}

/** The developer's active agent, when every scope is registered for it: 404, 409 `AGENT_INACTIVE` or 422 `INVALID_SCOPES` otherwise. */
export async function agentForScopes(db: Queryable, developerId: string, agentId: string, scopes: readonly string[]): Promise<AgentRow> {
  const agents = await db.query<AgentRow & Record<string, unknown>>('SELECT * FROM agents WHERE id = $1 AND developer_id = $2', [agentId, developerId]);
  const agent = agents[0];
  if (!agent) throw notFound('Agent', 'AGENT_NOT_FOUND');
  if (agent.status !== 'active') throw new AuthorityApiError(409, 'AGENT_INACTIVE', `Agent is ${agent.status}`);
  const registered = JSON.parse(agent.scopes) as string[];
  const unknown = scopes.filter((s) => !registered.includes(s));
  if (unknown.length > 0) {
    throw new AuthorityApiError(422, 'INVALID_SCOPES', `Scopes not registered for the agent: ${unknown.join(', ')}`, { details: { invalidScopes: unknown } });
  }
  return agent;
}

/** What an enrolled bundle adds: the device's own key, its enrollment, and the end of its life. */
export interface Enrolled {
  enrollmentId: string;
  auditPublicKey: string;
  lifetimeEndsAt: number;
}

/** Signs and stores a new bundle for a checked agent, in `tx`; key version 1 signs from seq 1. */
export async function insertBundle(ctx: AuthorityContext, tx: Queryable, agent: AgentRow, input: NewBundle, baseUrl: string, enrolled?: Enrolled): Promise<IssuedBundle> {
  const subject = {
    bundleId: newId('cb'),
    developerId: agent.developer_id,
    agentDID: agent.did,
    userId: input.userId,
    scopes: input.scopes,
    grantId: newId('grnt'),
    deviceId: input.deviceId,
    ttlMs: input.ttlMs,
    limits: input.limits ?? [],
    ...(enrolled ? { auditPublicKey: enrolled.auditPublicKey, notAfterMs: enrolled.lifetimeEndsAt } : {}),
  };
  const { bundle, jti } = await issueBundle(ctx, tx, subject, baseUrl);
  const at = new Date(bundle.checkpointAt).toISOString();
  await tx.query(
    `INSERT INTO bundles (id, developer_id, agent_id, user_id, scopes, device_id, device_platform, status, grant_id, jti,
       offline_ttl_ms, offline_expires_at, checkpoint_at, audit_public_key, audit_key_version, head_hash, created_at, updated_at,
       enrolled, enrollment_id, lifetime_ends_at, limits)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $11, $12, $13, 1, $14, $15, $15, $16, $17, $18, $19)`,
    [bundle.bundleId, agent.developer_id, agent.id, input.userId, JSON.stringify(input.scopes), input.deviceId, input.devicePlatform,
      subject.grantId, jti, input.ttlMs, bundle.offlineExpiresAt, bundle.checkpointAt, bundle.offlineAuditKey.publicKey, GENESIS_HASH, at,
      enrolled !== undefined, enrolled?.enrollmentId ?? null, enrolled ? new Date(enrolled.lifetimeEndsAt).toISOString() : null, limitsText(input.limits)],
  );
  await tx.query('INSERT INTO bundle_audit_keys (bundle_id, version, public_key, created_at, from_seq) VALUES ($1, 1, $2, $3, 1)', [
    bundle.bundleId,
    bundle.offlineAuditKey.publicKey,
    at,
  ]);
  return bundle;
}

/** Issues a bundle for one of the developer's agents, within the scopes registered for it. */
export async function createBundle(ctx: AuthorityContext, developerId: string, input: NewBundle, baseUrl: string): Promise<IssuedBundle> {
  const agent = await agentForScopes(ctx.db, developerId, input.agentId, input.scopes);
  return ctx.db.transaction((tx) => insertBundle(ctx, tx, agent, input, baseUrl));
}

/** 409 unless the bundle may be refreshed now: active, agent active, within its enrolled lifetime. */
export async function assertRefreshable(ctx: AuthorityContext, tx: Queryable, row: BundleRow): Promise<void> {
  const status = bundleStatus(row, ctx.now());
  if (status !== 'active') {
    const code = { revoked: 'BUNDLE_REVOKED', suspended: 'BUNDLE_SUSPENDED', expired: 'BUNDLE_EXPIRED' }[status];
    throw new AuthorityApiError(409, code, `Bundle is ${status} and cannot be refreshed`);
  }
  const agents = await tx.query<{ status: string }>('SELECT status FROM agents WHERE id = $1', [row.agent_id]);
  if (agents[0]?.status !== 'active') throw new AuthorityApiError(409, 'GRANT_INACTIVE', "The bundle's agent is not active");
  if (row.lifetime_ends_at !== null && new Date(row.lifetime_ends_at).getTime() <= ctx.now()) {
    throw new AuthorityApiError(409, 'REENROLL_REQUIRED', "The enrollment's maxLifetime has passed: enroll the device again");
  }
}

/**
 * A fresh token, snapshot and audit key pair, and a new offline deadline, for a bundle that
 * is still usable. The audit chain continues: later entries are signed with the new key,
 * earlier ones still verify with the old one.
 */
export async function refreshBundle(ctx: AuthorityContext, developerId: string, bundleId: string, baseUrl: string): Promise<IssuedBundle> {
  return ctx.db.transaction(async (tx) => {
    const row = await findBundle(tx, developerId, bundleId, { forUpdate: true });
    if (row.enrolled) {
      throw new AuthorityApiError(409, 'DEVICE_REFRESH_REQUIRED', 'An enrolled bundle is refreshed by its device (a device proof and its new public key), never with an API key');
    }
    await assertRefreshable(ctx, tx, row);
    const { bundle, jti } = await issueBundle(
      ctx,
      tx,
      {
        bundleId,
        developerId,
        agentDID: row.agent_did,
        userId: row.user_id,
        scopes: JSON.parse(row.scopes) as string[],
        grantId: row.grant_id,
        deviceId: row.device_id,
        ttlMs: Number(row.offline_ttl_ms),
        notAfterMs: row.lifetime_ends_at === null ? null : new Date(row.lifetime_ends_at).getTime(),
        limits: storedLimits(row.limits), // Part of the consent: a refresh signs the same limits again.
      },
      baseUrl,
    );
    const version = row.audit_key_version + 1;
    const at = new Date(bundle.checkpointAt).toISOString();
    await tx.query(
      `UPDATE bundles SET jti = $2, offline_expires_at = $3, checkpoint_at = $4, audit_public_key = $5, audit_key_version = $6, updated_at = $7
       WHERE id = $1`,
      [bundleId, jti, bundle.offlineExpiresAt, bundle.checkpointAt, bundle.offlineAuditKey.publicKey, version, at],
    );
    await tx.query('INSERT INTO bundle_audit_keys (bundle_id, version, public_key, created_at) VALUES ($1, $2, $3, $4)', [
      bundleId,
      version,
      bundle.offlineAuditKey.publicKey,
      at,
    ]);
    return bundle;
  });
}

/**
 * At the first revocation, the head the device last reported (or the stored head, when higher):
 * entries above it are flagged `afterRevocation`. Null when no device proof ever reported a head.
 */
export const REVOKED_HEAD = `revoked_head_seq = CASE WHEN revoked_at IS NULL AND reported_head_seq IS NOT NULL
  THEN GREATEST(reported_head_seq, head_seq) ELSE revoked_head_seq END`;

/** Revokes a bundle (and, with `revokeGrant`, its grant). Idempotent: the first `revokedAt` is kept. */
export async function revokeBundle(ctx: AuthorityContext, developerId: string, bundleId: string, revokeGrant: boolean): Promise<BundleRow> {
  return ctx.db.transaction(async (tx) => {
    await findBundle(tx, developerId, bundleId, { forUpdate: true });
    const at = new Date(ctx.now()).toISOString();
    await tx.query(
      `UPDATE bundles SET status = 'revoked', revoked_at = COALESCE(revoked_at, $2::timestamptz),
         ${REVOKED_HEAD}, grant_revoked = grant_revoked OR $3::boolean, updated_at = $2::timestamptz WHERE id = $1`,
      [bundleId, at, revokeGrant],
    );
    return findBundle(tx, developerId, bundleId);
  });
}


/** Lifts a fork suspension (operator only); 409 `BUNDLE_NOT_SUSPENDED` for a bundle that is not suspended. */
export async function resumeBundle(ctx: AuthorityContext, developerId: string, bundleId: string): Promise<BundleRow> {
  return ctx.db.transaction(async (tx) => {
    const row = await findBundle(tx, developerId, bundleId, { forUpdate: true });
    if (row.status !== 'suspended') throw new AuthorityApiError(409, 'BUNDLE_NOT_SUSPENDED', `Bundle is ${bundleStatus(row, ctx.now())}, not suspended`);
    await tx.query(`UPDATE bundles SET status = 'active', updated_at = $2 WHERE id = $1`, [bundleId, new Date(ctx.now()).toISOString()]);
    return findBundle(tx, developerId, bundleId);
  });
}
