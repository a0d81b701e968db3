import { windowMs, type GrantLimit } from '../../verifier/limits.js';
import { UseWindow } from './window.js';

/** The metadata field where the guard records the arguments a call's limits count or bound. */
export const LIMIT_ARGS_META = 'limitArgs';

/** Where one limit stands at a moment, for a UI or an operator. */
export interface LimitUsage {
  /** The limit as the grant states it. */
  limit: GrantLimit;
  /** Calls (rate, total) or the summed argument (budget) counted now; 0 for bounds. */
  used: number;
  /** What is left (`max - used`, never below 0); null for bounds. */
  remaining: number | null;
  /** When the oldest counted use leaves the window (ISO 8601); null without a window or use. */
  resetAt: string | null;
}

/** Why a call breaks a limit: which one (its index in the grant's list), and where it stands. */
export interface LimitBreach extends LimitUsage {
  /** Position of the limit in `VerifiedGrant.limits`. */
  index: number;
  /** What is wrong, for people. */
  reason: string;
}

/** A use counted against the limits, taken back or moved to its entry's time later (opaque to the guard). */
export interface LimitReservation {
  /** The uses, one per counting limit of the call (opaque). */
  readonly uses: readonly object[];
}

/** One use in a reservation: its limit's window and its size. */
type Reserved = { track: Track; amount: number };

interface Track {
  readonly limit: GrantLimit;
  readonly window: UseWindow;
}

/** A call's arguments as limits read them. */
export type LimitArgs = Readonly<Record<string, unknown>> | undefined;

const counts = (l: GrantLimit) => l.kind !== 'bounds';

/** The use one call makes of a counting limit: 1 call, or the budget's argument (NaN when it is no number ≥ 0). */
function amountOf(l: GrantLimit, args: LimitArgs): number {
  if (l.kind !== 'budget') return 1;
  const v = args?.[l.sum];
  return typeof v === 'number' && v >= 0 && Number.isFinite(v) ? v : NaN;
}

const show = (v: unknown) => (v === undefined ? 'missing' : JSON.stringify(v));

/** Why `args` break a bounds limit, or ''. */
function outOfBounds(l: GrantLimit & { kind: 'bounds' }, args: LimitArgs): string {
  const v = args?.[l.arg];
  const inRange = typeof v === 'number' && Number.isFinite(v) && !(v < (l.min ?? -Infinity)) && !(v > (l.max ?? Infinity));
  if ((l.min !== undefined || l.max !== undefined) && !inRange) return `argument "${l.arg}" is ${show(v)}, outside ${l.min ?? '-∞'}..${l.max ?? '∞'}`;
  if (l.oneOf && !l.oneOf.includes(v as never)) return `argument "${l.arg}" is ${show(v)}, not one of ${JSON.stringify(l.oneOf)}`;
  return '';
}

/**
 * The usage of a grant's limits, as a pure model both sides run: the guard before each call
 * (from its own trail), the authority at sync (from the uploaded one, in seq order). A use
 * counts at its entry's time, in windows `(at - per, at]`; a call still running counts in
 * every window until its entry is written, so the guard never allows what the authority,
 * which sees only entry times, would flag.
 */
export function createLimitLedger(limits: readonly GrantLimit[]) {
  const tracks: Track[] = limits.map((limit) => ({ limit, window: new UseWindow('per' in limit && limit.per ? windowMs(limit.per) : Infinity) }));
  const applying = (scopes: readonly string[]) => tracks.filter((t) => scopes.includes(t.limit.scope));
  const used = (t: Track, at: number) => t.window.used(at);

  function standing(t: Track, at: number, need = 0): LimitUsage {
    const l = t.limit;
    if (l.kind === 'bounds') return { limit: l, used: 0, remaining: null, resetAt: null };
    const raw = used(t, at);
    const u = Number.isFinite(raw) ? raw : l.max; // a use of unknown size spent the whole budget; reported as the max, so it stays JSON
    const frees = need > 0 ? t.window.freesAt(at, need, l.max) : t.window.oldest();
    return { limit: l, used: u, remaining: Math.max(0, l.max - u), resetAt: frees === null ? null : new Date(frees).toISOString() };
  }

  let latest = -Infinity;

  const ledger = {
    /** The first limit a call of `scopes` with `args` at `at` would break, or null when it fits them all. */
    breach(scopes: readonly string[], args: LimitArgs, at: number): LimitBreach | null {
      for (const t of applying(scopes)) {
        const l = t.limit;
        const index = tracks.indexOf(t);
        let reason = '';
        if (l.kind === 'bounds') reason = outOfBounds(l, args);
        else {
          const amount = amountOf(l, args);
          if (Number.isNaN(amount)) reason = `argument "${(l as { sum: string }).sum}" is ${show(args?.[(l as { sum: string }).sum])}, not a number >= 0`;
          else if (used(t, at) + amount > l.max) reason = `${l.kind} limit of ${l.max}${l.kind === 'budget' && l.unit ? ` ${l.unit}` : ''} on ${l.scope}${'per' in l && l.per ? ` per ${l.per}` : ''} reached`;
        }
        if (reason) return { ...standing(t, at, amountOf(l, args) || 1), index, reason };
      }
      return null;
    },

    /**
     * Counts a call's use, in every window until {@link settle} gives it its entry's time (or
     * `release` takes it back); `at` (Unix ms) counts it from then at once, as a trail entry.
     */
    reserve(scopes: readonly string[], args: LimitArgs, at = NaN): LimitReservation {
      const uses = applying(scopes)
        .filter((t) => counts(t.limit))
        .map((track) => {
          const amount = amountOf(track.limit, args);
          const use = { track, amount: Number.isNaN(amount) ? Infinity : amount }; // a use of unknown size spends the whole budget
          track.window.add(at, use.amount);
          return use;
        });
      return { uses };
    },

    /** Gives a reserved use the time its entry was written (the time the authority counts it at). */
    settle(reservation: LimitReservation, at: number): void {
      for (const { track, amount } of reservation.uses as Reserved[]) track.window.settle(amount, at);
    },

    /** Takes a reservation back: the call never ran. */
    release(reservation: LimitReservation): void {
      for (const { track, amount } of reservation.uses as Reserved[]) track.window.release(amount);
    },

    /**
     * Counts an entry of a trail, in seq order: a tool that ran uses its limits, at its
     * timestamp (never before an earlier entry's). Returns the limit it broke, or null.
     */
    record(entry: { scopes: readonly string[]; result: string; timestamp: string; metadata?: Record<string, unknown> }): LimitBreach | null {
      if (!RAN_RESULTS.includes(entry.result)) return null;
      // Never before an earlier entry's time; an unreadable time counts in every window (NaN), as a running call does.
      const parsed = Date.parse(entry.timestamp);
      const at = Number.isFinite(parsed) ? (latest = Math.max(latest, parsed)) : NaN;
      const args = entryLimitArgs(entry);
      const broke = ledger.breach(entry.scopes, args, Number.isFinite(at) ? at : latest);
      ledger.reserve(entry.scopes, args, at);
      return broke;
    },

    /** Every limit's standing at `at`. */
    usage(at: number): LimitUsage[] {
      return tracks.map((t) => standing(t, at));
    },
  };
  return ledger;
}

/** A grant's limit usage, made by {@link createLimitLedger}. */
export type LimitLedger = ReturnType<typeof createLimitLedger>;

/** Outcomes of a tool that ran: only those use a limit. */
export const RAN_RESULTS: readonly string[] = ['success', 'execution_error'];

/** The arguments an entry's metadata says its limits counted. */
export function entryLimitArgs(entry: { metadata?: Record<string, unknown> }): LimitArgs {
  const v = entry.metadata?.[LIMIT_ARGS_META];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
