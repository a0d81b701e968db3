import { AuthorityApiError } from '../api-error.js';
import { assertRefreshable, findBundle } from '../bundles.js';
import type { AuthorityContext } from '../context.js';
import { issueBundle } from '../issue-bundle.js';
import { storedLimits } from '../limits/stored-limits.js';
import { KeySpans, loadAuditKeys } from './key-spans.js';
import type { DeviceCaller } from './device-caller.js';

/** A device's refresh request: the head its proof names and the public half of its new key. */
export interface DeviceRefresh {
  head: { seq: number; hash: string };
  auditPublicKey: string;
}

type Outcome = { answer: Record<string, unknown> } | { refused: AuthorityApiError };

/**
 * Refresh with key continuity (PROTOCOL.md §9): the current key's span ends at the device's
 * head, which must be the stored head; the new key signs from the next seq. A retry (proof
 * by the previous key, same new key, same head) gets the stored answer again; another new
 * key for that head means the bundle forked, and it is suspended.
 */
export async function deviceRefresh(ctx: AuthorityContext, caller: DeviceCaller, request: DeviceRefresh, baseUrl: string): Promise<Record<string, unknown>> {
  const outcome = await ctx.db.transaction(async (tx): Promise<Outcome> => {
    const row = await findBundle(tx, caller.developerId, caller.bundleId, { forUpdate: true });
    await assertRefreshable(ctx, tx, row);
    const spans = new KeySpans(await loadAuditKeys(tx, row.id));
    const current = spans.current;
    if (caller.keyVersion !== current.version) {
      // Signed with the key before the newest: only a repeat of the refresh that made the newest.
      if (current.publicKey === request.auditPublicKey && current.issued !== null) return { answer: JSON.parse(current.issued) as Record<string, unknown> };
      const at = new Date(ctx.now()).toISOString();
      await tx.query(`UPDATE bundles SET status = 'suspended', suspended_at = $2, updated_at = $2 WHERE id = $1`, [row.id, at]);
      return {
        refused: new AuthorityApiError(409, 'BUNDLE_FORKED', `A second new audit key was sent for head seq ${request.head.seq}: the bundle is suspended until an operator resumes or revokes it`),
      };
    }
    const stored = { seq: Number(row.head_seq), hash: row.head_hash };
    if (request.head.seq !== stored.seq || request.head.hash !== stored.hash) {
      throw new AuthorityApiError(409, 'HEAD_MISMATCH', `The device's head (seq ${request.head.seq}) is not the stored head (seq ${stored.seq}): sync first`, {
        details: { headSeq: stored.seq, headHash: stored.hash },
      });
    }
    const { bundle, jti } = await issueBundle(
      ctx,
      tx,
      {
        bundleId: row.id,
        developerId: row.developer_id,
        agentDID: row.agent_did,
        userId: row.user_id,
        scopes: JSON.parse(row.scopes) as string[],
        grantId: row.grant_id,
        deviceId: row.device_id,
        ttlMs: Number(row.offline_ttl_ms),
        auditPublicKey: request.auditPublicKey,
        notAfterMs: row.lifetime_ends_at === null ? null : new Date(row.lifetime_ends_at).getTime(),
        limits: storedLimits(row.limits), // Part of the consent: a refresh signs the same limits again.
      },
      baseUrl,
    );
    const version = current.version + 1;
    const fromSeq = stored.seq + 1;
    const spansAfter = new KeySpans([...spans.keys, { version, publicKey: request.auditPublicKey, fromSeq, issued: null }]).toJson();
    const answer = { ...bundle, enrolled: true, ...(row.enrollment_id ? { enrollmentId: row.enrollment_id } : {}), auditKeySpans: spansAfter };
    const at = new Date(bundle.checkpointAt).toISOString();
    await tx.query(
      `UPDATE bundles SET jti = $2, offline_expires_at = $3, checkpoint_at = $4, audit_public_key = $5, audit_key_version = $6, enrolled = true, updated_at = $7
       WHERE id = $1`,
      [row.id, jti, bundle.offlineExpiresAt, bundle.checkpointAt, request.auditPublicKey, version, at],
    );
    await tx.query('INSERT INTO bundle_audit_keys (bundle_id, version, public_key, created_at, from_seq, issued) VALUES ($1, $2, $3, $4, $5, $6)', [
      row.id,
      version,
      request.auditPublicKey,
      at,
      fromSeq,
      JSON.stringify(answer),
    ]);
    return { answer };
  });
  if ('refused' in outcome) throw outcome.refused; // After the commit: the suspension stands.
  return outcome.answer;
}
