import type { Queryable } from '../db/types.js';
import type { BundleRow } from '../records.js';

/** Flags of a bundle as a whole (`GET /v1/consent-bundles/:id` `flags`, the sync answer's `bundleFlags`). */
export type BundleFlag = 'TRAIL_TRUNCATED';

type Head = { seq: number; hash: string };

/**
 * Keeps the highest log head the device's proofs reported and flags the bundle
 * `TRAIL_TRUNCATED` (for good) when its trail no longer holds it: the device now reports a
 * lower head (or the same seq with another hash), the stored entry at a reported seq has
 * another hash, or the upload contradicted the stored chain (`forked`). Under the bundle's
 * row lock, after the upload's entries are stored. A reported head is checked once the
 * stored trail reaches its seq; a higher report before then takes its place.
 */
export async function trackReportedHead(tx: Queryable, row: BundleRow, reported: Head | null, storedHead: Head, forked: boolean): Promise<BundleFlag[]> {
  const flags = JSON.parse(row.flags) as BundleFlag[];
  const previous: Head | null = row.reported_head_seq === null ? null : { seq: Number(row.reported_head_seq), hash: row.reported_head_hash ?? '' };
  let truncated = forked;
  if (reported && previous && (reported.seq < previous.seq || (reported.seq === previous.seq && reported.hash !== previous.hash))) truncated = true;
  const covered = [previous, reported].filter((h): h is Head => h !== null && h.seq > 0 && h.seq <= storedHead.seq);
  if (covered.length > 0) {
    const rows = await tx.query<{ seq: number | string; hash: string }>('SELECT seq, hash FROM audit_entries WHERE bundle_id = $1 AND seq IN ($2::bigint, $3::bigint)', [
      row.id,
      covered[0]!.seq,
      covered[covered.length - 1]!.seq,
    ]);
    const stored = new Map(rows.map((r) => [Number(r.seq), r.hash]));
    if (covered.some((h) => stored.get(h.seq) !== h.hash)) truncated = true;
  }
  const next = reported && (!previous || reported.seq > previous.seq) ? reported : previous;
  const nextFlags: BundleFlag[] = truncated && !flags.includes('TRAIL_TRUNCATED') ? [...flags, 'TRAIL_TRUNCATED'] : flags;
  if (next !== previous || nextFlags !== flags) {
    await tx.query('UPDATE bundles SET reported_head_seq = $2, reported_head_hash = $3, flags = $4 WHERE id = $1', [
      row.id,
      next?.seq ?? null,
      next?.hash ?? null,
      JSON.stringify(nextFlags),
    ]);
  }
  return nextFlags;
}
