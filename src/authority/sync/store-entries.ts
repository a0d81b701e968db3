import { AuthorityApiError } from '../api-error.js';
import type { Queryable } from '../db/types.js';
import { newId } from '../ids.js';
import type { CheckedEntry, EntryError } from './check-entries.js';
import { chainFlags, sortFlags, type EntryFlag, type FlagContext } from './entry-flags.js';

const COLUMNS = 17;

/** One entry of the acknowledged prefix that carries flags (PROTOCOL.md §5). */
export interface FlaggedEntry {
  seq: number;
  flags: EntryFlag[];
}

export interface StoreOutcome {
  /** Leading entries of the batch the authority now holds with the same hash: replays and new ones. */
  accepted: number;
  /** `DUPLICATE_SEQ` refusals. */
  errors: EntryError[];
  /** The accepted entries that carry flags, in seq order. */
  flagged: FlaggedEntry[];
  /** 409 `AUDIT_CHAIN_CONFLICT` to answer once the transaction commits (what it learnt about the head stands). */
  conflict: AuthorityApiError | null;
  /** The upload contradicts the stored chain (a stored seq with another hash, or a fork right at the head): the device's trail was cut and rewritten. */
  forked: boolean;
  /** The stored head afterwards. */
  head: { seq: number; hash: string };
}

/** What the chain-dependent flags need besides the stored chain. */
export type BundleClock = Omit<FlagContext, 'previousMs'>;

const parseFlags = (text: string): EntryFlag[] => JSON.parse(text) as EntryFlag[];

/**
 * Flags found by the caller for new entries (e.g. `limitExceeded`), by seq.
 */
export type ExtraFlags = ReadonlyMap<number, readonly EntryFlag[]>;

/**
 * Compares a checked, contiguous batch (the storable prefix of an upload) with the stored
 * chain and appends what is new, each entry with its flags. Run it in a transaction that
 * holds the bundle row's lock (`SELECT … FOR UPDATE`), so concurrent uploads for one bundle
 * take turns: an entry already stored with the same hash is accepted again (with the flags it
 * was stored with), a different hash is a `DUPLICATE_SEQ` (and nothing after it is stored),
 * and the first new entry must extend the stored head or the batch gets 409 `AUDIT_CHAIN_CONFLICT`.
 */
export async function storeEntries(
  tx: Queryable,
  bundleId: string,
  head: { seq: number; hash: string },
  batch: readonly CheckedEntry[],
  deviceId: string | null,
  syncedAt: string,
  clock: BundleClock,
  extraFlags: ExtraFlags = new Map(),
): Promise<StoreOutcome> {
  const outcome: StoreOutcome = { accepted: 0, errors: [], flagged: [], conflict: null, forked: false, head };
  const known = batch.filter((c) => c.entry.seq <= head.seq);
  const fresh = batch.filter((c) => c.entry.seq > head.seq);

  if (known.length > 0) {
    const rows = await tx.query<{ seq: number | string; hash: string; flags: string }>(
      'SELECT seq, hash, flags FROM audit_entries WHERE bundle_id = $1 AND seq BETWEEN $2::bigint AND $3::bigint',
      [bundleId, known[0]!.entry.seq, known[known.length - 1]!.entry.seq],
    );
    const stored = new Map(rows.map((r) => [Number(r.seq), r]));
    for (const { entry, index } of known) {
      const row = stored.get(entry.seq);
      if (row?.hash === entry.hash && outcome.errors.length === 0) {
        outcome.accepted++;
        const flags = parseFlags(row.flags);
        if (flags.length > 0) outcome.flagged.push({ seq: entry.seq, flags });
      } else if (row?.hash !== entry.hash) {
        outcome.errors.push({ seq: entry.seq, index, code: 'DUPLICATE_SEQ', message: `seq ${entry.seq} is already stored with a different hash` });
      }
    }
    if (outcome.errors.length > 0) {
      outcome.forked = true;
      return outcome; // Nothing after a contradicted entry can chain to the stored trail.
    }
  }

  if (fresh.length > 0) {
    const first = fresh[0]!.entry;
    if (first.seq !== head.seq + 1 || first.prevHash !== head.hash) {
      const why = first.seq !== head.seq + 1 ? `seq ${first.seq} does not follow the stored head seq ${head.seq}` : `seq ${first.seq} does not chain to the stored entry ${head.seq}`;
      outcome.forked = first.seq === head.seq + 1 && head.seq > 0;
      outcome.conflict = new AuthorityApiError(409, 'AUDIT_CHAIN_CONFLICT', why, { details: { headSeq: head.seq, headHash: head.hash, expectedSeq: head.seq + 1 } });
      return outcome;
    }
    const before = head.seq === 0 ? [] : await tx.query<{ timestamp: string }>('SELECT timestamp FROM audit_entries WHERE bundle_id = $1 AND seq = $2::bigint', [bundleId, head.seq]);
    let previousMs = before[0] ? Date.parse(before[0].timestamp) : NaN;
    const params: unknown[] = [];
    const tuples = fresh.map(({ entry: e, metadataText, keyVersion, flags: own }, i) => {
      const flags = sortFlags([...own, ...chainFlags(e, { ...clock, previousMs }), ...(extraFlags.get(e.seq) ?? [])]);
      previousMs = Date.parse(e.timestamp);
      if (flags.length > 0) outcome.flagged.push({ seq: e.seq, flags });
      params.push(bundleId, e.seq, newId('ae'), e.timestamp, e.action, e.agentDID, e.grantId, JSON.stringify(e.scopes), e.result,
        metadataText, e.prevHash, e.hash, e.signature, keyVersion, deviceId, syncedAt, JSON.stringify(flags));
      return `(${Array.from({ length: COLUMNS }, (_, c) => `$${i * COLUMNS + c + 1}`).join(', ')})`;
    });
    await tx.query(
      `INSERT INTO audit_entries (bundle_id, seq, id, timestamp, action, agent_did, grant_id, scopes, result, metadata,
         prev_hash, hash, signature, audit_key_version, device_id, synced_at, flags) VALUES ${tuples.join(', ')}`,
      params,
    );
    const last = fresh[fresh.length - 1]!.entry;
    await tx.query('UPDATE bundles SET head_seq = $2, head_hash = $3, last_synced_at = $4 WHERE id = $1', [bundleId, last.seq, last.hash, syncedAt]);
    outcome.accepted += fresh.length;
    outcome.head = { seq: last.seq, hash: last.hash };
  }
  return outcome;
}
