import type { LimitLedger, LimitUsage } from '../../guard/limits/ledger.js';
import type { Queryable } from '../db/types.js';
import { replayLedger } from '../limits/limit-usage.js';
import { storedLimits } from '../limits/stored-limits.js';
import type { CheckedEntry } from './check-entries.js';
import type { EntryFlag } from './entry-flags.js';
import type { ExtraFlags } from './store-entries.js';

/** The limit re-check of one upload, under the bundle's row lock. */
export interface LimitCheck {
  /** `limitExceeded` for each new entry that broke a limit, by seq. */
  flags: ExtraFlags;
  /** Where the limits stand once the upload is stored (call after `storeEntries`). */
  usage(storedHeadSeq: number, nowMs: number): Promise<LimitUsage[]>;
}

const NONE: LimitCheck = { flags: new Map(), usage: async () => [] };
const EXCEEDED: readonly EntryFlag[] = ['limitExceeded'];

/**
 * Recounts a bundle's limits from its stored trail plus the new entries of an upload (those
 * above the stored head, in seq order), with the device's own model (`createLimitLedger`), so
 * a validly signed trail whose entries overran a limit is flagged whatever the device claimed.
 * A bundle without limits reads nothing.
 */
export async function checkLimits(tx: Queryable, row: { id: string; limits: string | null }, headSeq: number, batch: readonly CheckedEntry[]): Promise<LimitCheck> {
  const limits = storedLimits(row.limits);
  if (limits.length === 0) return NONE;
  let ledger: LimitLedger = await replayLedger(tx, row.id, limits);
  const fresh = batch.filter((c) => c.entry.seq > headSeq);
  const flags = new Map<number, readonly EntryFlag[]>();
  for (const { entry } of fresh) if (ledger.record(entry)) flags.set(entry.seq, EXCEEDED);
  const recordedTo = fresh.length > 0 ? fresh[fresh.length - 1]!.entry.seq : headSeq;
  return {
    flags,
    async usage(storedHeadSeq, nowMs) {
      // The new entries were not stored after all (a conflict): count the stored trail alone.
      if (storedHeadSeq !== recordedTo) ledger = await replayLedger(tx, row.id, limits);
      return ledger.usage(nowMs);
    },
  };
}
