import { AuthorityApiError } from '../api-error.js';
import type { Queryable } from '../db/types.js';
import { newId } from '../ids.js';
import type { CheckedEntry, EntryError } from './check-entries.js';

const COLUMNS = 16;

export interface StoreOutcome {
  accepted: number;
  rejected: number;
  errors: EntryError[];
}

/**
 * Compares a checked, contiguous batch with the stored chain and appends what is new.
 * Run it in a transaction that holds the bundle row's lock (`SELECT … FOR UPDATE`), so
 * concurrent uploads for one bundle take turns: an entry already stored with the same hash
 * is accepted again, a different hash is a `DUPLICATE_SEQ`, and the first new entry must
 * extend the stored head or the whole batch is refused with 409 `AUDIT_CHAIN_CONFLICT`.
 */
export async function storeEntries(
  tx: Queryable,
  bundleId: string,
  head: { seq: number; hash: string },
  batch: readonly CheckedEntry[],
  deviceId: string | null,
  syncedAt: string,
): Promise<StoreOutcome> {
  const outcome: StoreOutcome = { accepted: 0, rejected: 0, errors: [] };
  const known = batch.filter((c) => c.entry.seq <= head.seq);
  const fresh = batch.filter((c) => c.entry.seq > head.seq);

  if (known.length > 0) {
    const rows = await tx.query<{ seq: number | string; hash: string }>(
      'SELECT seq, hash FROM audit_entries WHERE bundle_id = $1 AND seq BETWEEN $2::bigint AND $3::bigint',
      [bundleId, known[0]!.entry.seq, known[known.length - 1]!.entry.seq],
    );
    const stored = new Map(rows.map((r) => [Number(r.seq), r.hash]));
    known.forEach(({ entry }, i) => {
      if (stored.get(entry.seq) === entry.hash) outcome.accepted++;
      else {
        outcome.rejected++;
        outcome.errors.push({ seq: entry.seq, index: i, code: 'DUPLICATE_SEQ', message: `seq ${entry.seq} is already stored with a different hash` });
      }
    });
  }

  if (fresh.length > 0) {
    const first = fresh[0]!.entry;
    if (first.seq !== head.seq + 1 || first.prevHash !== head.hash) {
      const why = first.seq !== head.seq + 1 ? `seq ${first.seq} does not follow the stored head seq ${head.seq}` : `seq ${first.seq} does not chain to the stored entry ${head.seq}`;
      throw new AuthorityApiError(409, 'AUDIT_CHAIN_CONFLICT', why, { details: { headSeq: head.seq, headHash: head.hash, expectedSeq: head.seq + 1 } });
    }
    const params: unknown[] = [];
    const tuples = fresh.map(({ entry: e, metadataText, keyVersion }, i) => {
      params.push(bundleId, e.seq, newId('ae'), e.timestamp, e.action, e.agentDID, e.grantId, JSON.stringify(e.scopes), e.result,
        metadataText, e.prevHash, e.hash, e.signature, keyVersion, deviceId, syncedAt);
      return `(${Array.from({ length: COLUMNS }, (_, c) => `$${i * COLUMNS + c + 1}`).join(', ')})`;
    });
    await tx.query(
      `INSERT INTO audit_entries (bundle_id, seq, id, timestamp, action, agent_did, grant_id, scopes, result, metadata,
         prev_hash, hash, signature, audit_key_version, device_id, synced_at) VALUES ${tuples.join(', ')}`,
      params,
    );
    const last = fresh[fresh.length - 1]!.entry;
    await tx.query('UPDATE bundles SET head_seq = $2, head_hash = $3, last_synced_at = $4 WHERE id = $1', [bundleId, last.seq, last.hash, syncedAt]);
    outcome.accepted += fresh.length;
  }
  return outcome;
}
