import { AuthorityApiError } from '../api-error.js';
import { findBundle, refreshBundle } from '../bundles.js';
import type { AuthorityContext } from '../context.js';
import type { Queryable } from '../db/types.js';
import { KeySpans, loadAuditKeys } from '../device-auth/key-spans.js';
import type { IssuedBundle } from '../issue-bundle.js';
import { bundleStatus, iso, type BundleRow } from '../records.js';
import { checkEntries, type CheckedEntry, type EntryError } from './check-entries.js';
import { storeEntries } from './store-entries.js';

/** The most entries one upload may carry (PROTOCOL.md §5). */
export const MAX_SYNC_ENTRIES = 1000;

export interface SyncRequest {
  bundleId: string;
  deviceId: string | null;
  entries: unknown[];
}

export interface SyncResult {
  accepted: number;
  rejected: number;
  revocationStatus: 'valid' | 'revoked';
  revokedAt: string | null;
  errors: EntryError[];
  newBundle: IssuedBundle | null;
}

/** Under 20 % of the offline window left (the client's own `shouldRefresh` rule, PROTOCOL.md §6). */
function nearsExpiry(row: BundleRow, now: number): boolean {
  const expires = new Date(row.offline_expires_at).getTime();
  const window = expires - Number(row.checkpoint_at);
  return window <= 0 || (expires - now) / window < 0.2;
}

/** A legacy bundle's unused key that signed a newly stored entry starts its span there (PROTOCOL.md §9). */
async function startUsedKeys(tx: Queryable, bundleId: string, spans: KeySpans, checked: readonly CheckedEntry[], headSeq: number): Promise<void> {
  for (const key of spans.pending) {
    const first = checked.find((c) => c.keyVersion === key.version && c.entry.seq > headSeq);
    if (first) await tx.query('UPDATE bundle_audit_keys SET from_seq = $3 WHERE bundle_id = $1 AND version = $2 AND from_seq IS NULL', [bundleId, key.version, first.entry.seq]);
  }
}

/**
 * One offline-sync upload: checks the batch on its own (400 with per-entry errors), then
 * appends it to the stored chain under the bundle's row lock. Revoked and expired bundles
 * still accept their audit trail: the device learns its revocation from the answer.
 */
export async function syncBatch(ctx: AuthorityContext, developerId: string, request: SyncRequest, baseUrl: string): Promise<SyncResult> {
  if (request.entries.length > MAX_SYNC_ENTRIES) {
    throw new AuthorityApiError(413, 'TOO_MANY_ENTRIES', `At most ${MAX_SYNC_ENTRIES} entries per upload; got ${request.entries.length}`);
  }
  const bundle = await findBundle(ctx.db, developerId, request.bundleId);
  if (request.deviceId !== null && bundle.device_id !== null && request.deviceId !== bundle.device_id) {
    throw new AuthorityApiError(409, 'DEVICE_MISMATCH', 'deviceId is not the device this bundle was issued to');
  }
  const check = async (db: Queryable, row: BundleRow) => {
    const spans = new KeySpans(await loadAuditKeys(db, row.id));
    const identity = { agentDID: row.agent_did, grantId: row.grant_id, scopes: JSON.parse(row.scopes) as string[], spans };
    const { errors, checked } = await checkEntries(request.entries, identity);
    if (errors.length > 0) {
      throw new AuthorityApiError(400, 'INVALID_AUDIT_ENTRIES', `${errors.length} of ${request.entries.length} entries failed verification`, {
        details: { errors },
      });
    }
    return { checked, spans };
  };
  // Checked before the lock (signature checks are the slow part), and again under it if a refresh changed the keys meanwhile.
  const first = await check(ctx.db, bundle);

  const { outcome, row } = await ctx.db.transaction(async (tx) => {
    const locked = await findBundle(tx, developerId, bundle.id, { forUpdate: true });
    const { checked, spans } = locked.audit_key_version === bundle.audit_key_version ? first : await check(tx, locked);
    const head = { seq: Number(locked.head_seq), hash: locked.head_hash };
    const stored = checked.length === 0 ? { accepted: 0, rejected: 0, errors: [] } : await storeEntries(tx, bundle.id, head, checked, request.deviceId, new Date(ctx.now()).toISOString());
    await startUsedKeys(tx, bundle.id, spans, checked, head.seq);
    return { outcome: stored, row: locked };
  });

  const now = ctx.now();
  let newBundle: IssuedBundle | null = null;
  if (ctx.refreshOnSync && !row.enrolled && bundleStatus(row, now) === 'active' && nearsExpiry(row, now)) {
    newBundle = await refreshBundle(ctx, developerId, bundle.id, baseUrl).catch((error: unknown) => {
      if (error instanceof AuthorityApiError) return null; // Revoked or expired meanwhile: no new bundle.
      throw error;
    });
  }
  return {
    ...outcome,
    revocationStatus: row.status === 'revoked' ? 'revoked' : 'valid',
    revokedAt: row.revoked_at === null ? null : iso(row.revoked_at),
    newBundle,
  };
}
