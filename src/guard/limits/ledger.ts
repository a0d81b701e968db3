import { windowMs, type GrantLimit } from '../../verifier/limits.js';

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
  /** The uses, one per counting limit of the call. */
  readonly uses: ReadonlyArray<{ track: Track; event: Use }>;
}

interface Use {
  at: number;
  amount: number;
}
interface Track {
  readonly limit: GrantLimit;
  readonly ms: number;
  total: number;
  readonly uses: Set<Use>;
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
 * (from its own trail), the authority at sync (from the uploaded one). A use counts at its
 * time; windows are `(at - per, at]`, and no window frees a use before the clock passes it.
 */
export function createLimitLedger(limits: readonly GrantLimit[]) {
  const tracks: Track[] = limits.map((limit) => ({ limit, ms: 'per' in limit && limit.per ? windowMs(limit.per) : Infinity, total: 0, uses: new Set() }));
  const applying = (scopes: readonly string[]) => tracks.filter((t) => scopes.includes(t.limit.scope));

  /** The use counted at `at`: all of a lifetime limit's, the window's for the others (older uses dropped). */
  function used(t: Track, at: number): number {
    if (t.ms === Infinity) return t.total;
    let sum = 0;
    for (const u of t.uses) {
      if (u.at > at - t.ms) sum += u.amount;
      else t.uses.delete(u);
    }
    return sum;
  }

  /** When enough uses leave the window for `need` more, or null when none ever will. */
  function freesAt(t: Track, at: number, need: number): number | null {
    if (t.ms === Infinity || need > (t.limit as { max: number }).max) return null;
    let left = used(t, at);
    for (const u of [...t.uses].sort((a, b) => a.at - b.at)) {
      left -= u.amount;
      if (left + need <= (t.limit as { max: number }).max) return u.at + t.ms;
    }
    return null;
  }

  function standing(t: Track, at: number, need = 0): LimitUsage {
    const l = t.limit;
    if (l.kind === 'bounds') return { limit: l, used: 0, remaining: null, resetAt: null };
    const u = used(t, at);
    let frees: number | null = null;
    if (need > 0) frees = freesAt(t, at, need);
    else if (t.ms !== Infinity && t.uses.size > 0) frees = Math.min(...[...t.uses].map((x) => x.at)) + t.ms;
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

    /** Counts a call's use at `at`; the result moves it to its entry's time ({@link settle}) or takes it back. */
    reserve(scopes: readonly string[], args: LimitArgs, at: number): LimitReservation {
      const uses = applying(scopes)
        .filter((t) => counts(t.limit))
        .map((track) => {
          const event = { at, amount: amountOf(track.limit, args) };
          if (Number.isNaN(event.amount)) event.amount = Infinity; // a use of unknown size spends the whole budget
          track.total += event.amount;
          track.uses.add(event);
          return { track, event };
        });
      return { uses };
    },

    /** Moves a reservation to the time its entry was written (the time the authority will count it at). */
    settle(reservation: LimitReservation, at: number): void {
      for (const { track, event } of reservation.uses) {
        event.at = at;
        if (track.ms !== Infinity) track.uses.add(event);
      }
    },

    /** Takes a reservation back: the call never ran. */
    release(reservation: LimitReservation): void {
      for (const { track, event } of reservation.uses) {
        track.total -= event.amount;
        track.uses.delete(event);
      }
    },

    /**
     * Counts an entry of a trail, in seq order: a tool that ran uses its limits, at its
     * timestamp (never before an earlier entry's). Returns the limit it broke, or null.
     */
    record(entry: { scopes: readonly string[]; result: string; timestamp: string; metadata?: Record<string, unknown> }): LimitBreach | null {
      if (!RAN_RESULTS.includes(entry.result)) return null;
      const parsed = Date.parse(entry.timestamp);
      const at = (latest = Math.max(latest, Number.isFinite(parsed) ? parsed : latest));
      const args = entryLimitArgs(entry);
      const broke = ledger.breach(entry.scopes, args, at);
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
