import type { Queryable } from '../db/types.js';

/** How long a proof id is remembered: past both ends of the ±60 s window. */
const KEEP_MS = 120_000;

/**
 * Records a proof's `jti` for its bundle; false when it was seen already (a replay). The
 * bundle's expired ids are dropped in the same statement; the table is shared by every
 * authority process on the database.
 */
export async function rememberJti(db: Queryable, bundleId: string, jti: string, now: number): Promise<boolean> {
  const rows = await db.query(
    `WITH expired AS (DELETE FROM device_proof_jtis WHERE bundle_id = $1 AND expires_at < $3)
     INSERT INTO device_proof_jtis (bundle_id, jti, expires_at) VALUES ($1, $2, $4)
     ON CONFLICT (bundle_id, jti) DO NOTHING RETURNING jti`,
    [bundleId, jti, now, now + KEEP_MS],
  );
  return rows.length === 1;
}
