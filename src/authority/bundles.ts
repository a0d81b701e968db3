import { GENESIS_HASH } from '../audit/hash.js';
import { AuthorityApiError, notFound } from './api-error.js';
import type { AuthorityContext } from './context.js';
import type { Queryable } from './db/types.js';
import { isCleanString } from './http/fields.js';
import { newId } from './ids.js';
import { issueBundle, type IssuedBundle } from './issue-bundle.js';
import { BUNDLE_COLUMNS, bundleStatus, type AgentRow, type BundleRow } from './records.js';

export interface NewBundle {
  agentId: string;
  userId: string;
  scopes: string[];
  ttlMs: number;
  deviceId: string | null;
  devicePlatform: string | null;
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

/** Issues a bundle for one of the developer's agents, within the scopes registered for it. */
export async function createBundle(ctx: AuthorityContext, developerId: string, input: NewBundle, baseUrl: string): Promise<IssuedBundle> {
  const agents = await ctx.db.query<AgentRow & Record<string, unknown>>('SELECT * FROM agents WHERE id = $1 AND developer_id = $2', [
    input.agentId,
    developerId,
  ]);
  const agent = agents[0];
  if (!agent) throw notFound('Agent', 'AGENT_NOT_FOUND');
  if (agent.status !== 'active') throw new AuthorityApiError(409, 'AGENT_INACTIVE', `Agent is ${agent.status}`);
  const registered = JSON.parse(agent.scopes) as string[];
  const unknown = input.scopes.filter((s) => !registered.includes(s));
  if (unknown.length > 0) {
    throw new AuthorityApiError(422, 'INVALID_SCOPES', `Scopes not registered for the agent: ${unknown.join(', ')}`, { details: { invalidScopes: unknown } });
  }
  const subject = {
    bundleId: newId('cb'),
    developerId,
    agentDID: agent.did,
    userId: input.userId,
    scopes: input.scopes,
    grantId: newId('grnt'),
    deviceId: input.deviceId,
    ttlMs: input.ttlMs,
  };
  return ctx.db.transaction(async (tx) => {
    const { bundle, jti } = await issueBundle(ctx, tx, subject, baseUrl);
    const at = new Date(bundle.checkpointAt).toISOString();
    await tx.query(
      `INSERT INTO bundles (id, developer_id, agent_id, user_id, scopes, device_id, device_platform, status, grant_id, jti,
         offline_ttl_ms, offline_expires_at, checkpoint_at, audit_public_key, audit_key_version, head_hash, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $11, $12, $13, 1, $14, $15, $15)`,
      [bundle.bundleId, developerId, agent.id, input.userId, JSON.stringify(input.scopes), input.deviceId, input.devicePlatform,
        subject.grantId, jti, input.ttlMs, bundle.offlineExpiresAt, bundle.checkpointAt, bundle.offlineAuditKey.publicKey, GENESIS_HASH, at],
    );
    await tx.query('INSERT INTO bundle_audit_keys (bundle_id, version, public_key, created_at) VALUES ($1, 1, $2, $3)', [
      bundle.bundleId,
      bundle.offlineAuditKey.publicKey,
      at,
    ]);
    return bundle;
  });
}

/**
 * A fresh token, snapshot and audit key pair, and a new offline deadline, for a bundle that
 * is still usable. The audit chain continues: later entries are signed with the new key,
 * earlier ones still verify with the old one.
 */
export async function refreshBundle(ctx: AuthorityContext, developerId: string, bundleId: string, baseUrl: string): Promise<IssuedBundle> {
  return ctx.db.transaction(async (tx) => {
    const row = await findBundle(tx, developerId, bundleId, { forUpdate: true });
    const status = bundleStatus(row, ctx.now());
    if (status !== 'active') {
      const code = status === 'revoked' ? 'BUNDLE_REVOKED' : 'BUNDLE_EXPIRED';
      throw new AuthorityApiError(409, code, `Bundle is ${status} and cannot be refreshed`);
    }
    const agents = await tx.query<{ status: string }>('SELECT status FROM agents WHERE id = $1', [row.agent_id]);
    if (agents[0]?.status !== 'active') throw new AuthorityApiError(409, 'GRANT_INACTIVE', "The bundle's agent is not active");
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

/** Revokes a bundle (and, with `revokeGrant`, its grant). Idempotent: the first `revokedAt` is kept. */
export async function revokeBundle(ctx: AuthorityContext, developerId: string, bundleId: string, revokeGrant: boolean): Promise<BundleRow> {
  return ctx.db.transaction(async (tx) => {
    await findBundle(tx, developerId, bundleId, { forUpdate: true });
    const at = new Date(ctx.now()).toISOString();
    await tx.query(
      `UPDATE bundles SET status = 'revoked', revoked_at = COALESCE(revoked_at, $2::timestamptz),
         grant_revoked = grant_revoked OR $3::boolean, updated_at = $2::timestamptz WHERE id = $1`,
      [bundleId, at, revokeGrant],
    );
    return findBundle(tx, developerId, bundleId);
  });
}

