import { AuthorityApiError } from '../api-error.js';
import { findBundle, refreshBundle } from '../bundles.js';
import type { AuthorityContext } from '../context.js';
import type { Queryable } from '../db/types.js';
import { KeySpans, loadAuditKeys } from '../device-auth/key-spans.js';
import type { IssuedBundle } from '../issue-bundle.js';
import { bundleStatus, iso, type BundleRow } from '../records.js';
import { checkEntries, storablePrefix, type CheckedEntry, type EntryError } from './check-entries.js';
import type { LimitUsage } from '../../guard/limits/ledger.js';
import { checkLimits } from './limit-check.js';
import { storeEntries, type FlaggedEntry } from './store-entries.js';
import { trackReportedHead, type BundleFlag } from './trail-head.js';

/** The most entries one upload may carry (PROTOCOL.md §5). */
export const MAX_SYNC_ENTRIES = 1000;

export interface SyncRequest {
  bundleId: string;
  deviceId: string | null;
  entries: unknown[];
  /** The device log's head its proof states (PROTOCOL.md §8); null for an API-key upload. */
  head?: { seq: number; hash: string } | null;
}

/** The authority's answer to an accepted offline-sync upload (the 200 body's data). */
export interface SyncResult {
  /** Leading entries of the batch the authority holds (replays and new ones). */
  accepted: number;
  /** Always 0 here: a refused entry makes the answer a 400 that carries the count. */
  rejected: number;
  /** Whether the bundle is revoked. */
  revocationStatus: 'valid' | 'revoked';
  /** When it was revoked (ISO 8601), or null. */
  revokedAt: string | null;
  /** Always empty here (see `rejected`). */
  errors: EntryError[];
  /** A refreshed bundle, with `refreshOnSync` and under 20 % of the offline window left; else null. */
  newBundle: IssuedBundle | null;
  /** Accepted entries that carry flags. */
  flagged: FlaggedEntry[];
  /** Flags of the bundle (`TRAIL_TRUNCATED`). */
  bundleFlags: BundleFlag[];
  /** Where each of the grant's limits stands at the authority's clock, counted from the stored trail ([] without limits). */
  limits: LimitUsage[];
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
 * One offline-sync upload: checks the batch on its own, then appends the entries before the
 * first refused one to the stored chain under the bundle's row lock, each with its flags, and
 * keeps the highest head the device reported (`TRAIL_TRUNCATED` when the trail no longer
 * holds it). Any refused entry makes the answer a 400 with per-entry errors and `accepted`.
 * Revoked and expired bundles still accept their audit trail: the device learns its revocation from the answer.
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
    return { ...(await checkEntries(request.entries, identity)), spans };
  };
  // Checked before the lock (signature checks are the slow part), and again under it if a refresh changed the keys meanwhile.
  const first = await check(ctx.db, bundle);

  const { outcome, errors, row, bundleFlags, limits } = await ctx.db.transaction(async (tx) => {
    const locked = await findBundle(tx, developerId, bundle.id, { forUpdate: true });
    const { checked, errors, spans } = locked.audit_key_version === bundle.audit_key_version ? first : await check(tx, locked);
    // The entries before the first refused one are stored: a bad entry never holds back the trail before it.
    const prefix = storablePrefix(checked, errors);
    const head = { seq: Number(locked.head_seq), hash: locked.head_hash };
    const nowMs = ctx.now();
    const clock = {
      nowMs,
      offlineExpiresAtMs: new Date(locked.offline_expires_at).getTime(),
      revokedAtMs: locked.revoked_at === null ? null : new Date(locked.revoked_at).getTime(),
      revokedHeadSeq: locked.revoked_head_seq === null ? null : Number(locked.revoked_head_seq),
    };
    const limitCheck = await checkLimits(tx, locked, head.seq, prefix);
    const stored = await storeEntries(tx, bundle.id, head, prefix, request.deviceId, new Date(nowMs).toISOString(), clock, limitCheck.flags);
    await startUsedKeys(tx, bundle.id, spans, prefix.slice(0, stored.accepted), head.seq);
    const bundleFlags = await trackReportedHead(tx, locked, request.head ?? null, stored.head, stored.forked);
    const limits = await limitCheck.usage(stored.head.seq, nowMs);
    return { outcome: stored, errors: [...errors, ...stored.errors].sort((a, b) => a.index - b.index), row: locked, bundleFlags, limits };
  });
  if (outcome.conflict) throw outcome.conflict; // After the commit: what the upload told about the device's trail stands.
  const revocation = { revocationStatus: row.status === 'revoked' ? ('revoked' as const) : ('valid' as const), revokedAt: row.revoked_at === null ? null : iso(row.revoked_at) };
  if (errors.length > 0) {
    // A 4xx, so a client that marks a batch synced on any 2xx never skips an entry; `accepted` says how far it got.
    throw new AuthorityApiError(400, 'INVALID_AUDIT_ENTRIES', `${errors.length} of ${request.entries.length} entries failed verification; the first ${outcome.accepted} are stored`, {
      details: { errors, accepted: outcome.accepted, rejected: request.entries.length - outcome.accepted, flagged: outcome.flagged, bundleFlags, limits, ...revocation },
    });
  }

  const now = ctx.now();
  let newBundle: IssuedBundle | null = null;
  if (ctx.refreshOnSync && !row.enrolled && bundleStatus(row, now) === 'active' && nearsExpiry(row, now)) {
    newBundle = await refreshBundle(ctx, developerId, bundle.id, baseUrl).catch((error: unknown) => {
      if (error instanceof AuthorityApiError) return null; // Revoked or expired meanwhile: no new bundle.
      throw error;
    });
  }
  return { accepted: outcome.accepted, rejected: 0, ...revocation, errors: [], newBundle, flagged: outcome.flagged, bundleFlags, limits };
}
