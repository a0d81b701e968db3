// The `limits` claim (PROTOCOL.md §2.1): how much of a scope a grant allows, checked offline.

/** The grant token's claim that carries limits; namespaced, so upstream's verifier ignores it. */
export const LIMITS_CLAIM = 'urn:offline-consent:limits';

/** At most `max` calls of `scope` in any window of `per` (e.g. `'1h'`). */
export interface RateLimit {
  /** The scope whose calls it counts. */
  scope: string;
  /** `rate`. */
  kind: 'rate';
  /** Most calls in any window (a whole number ≥ 0). */
  max: number;
  /** The window: 1–6 digits and `s`, `m`, `h` or `d`. */
  per: string;
}

/** At most `max` calls of `scope` for the life of the bundle. */
export interface TotalLimit {
  /** The scope whose calls it counts. */
  scope: string;
  /** `total`. */
  kind: 'total';
  /** Most calls for the life of the grant (a whole number ≥ 0). */
  max: number;
}

/** The sum of the numeric argument `sum` over calls of `scope` stays at most `max`, per window or in total. */
export interface BudgetLimit {
  /** The scope whose calls it sums. */
  scope: string;
  /** `budget`. */
  kind: 'budget';
  /** The argument summed (a number ≥ 0 on every call). */
  sum: string;
  /** The most the sum may reach. */
  max: number;
  /** A window (as for `rate`); without it, the life of the grant. */
  per?: string;
  /** A label for people (e.g. `'EUR'`); it changes nothing. */
  unit?: string;
}

/** The argument `arg` of every call of `scope` lies in `[min, max]` and, with `oneOf`, is one of those values. */
export interface BoundsLimit {
  /** The scope whose calls it bounds. */
  scope: string;
  /** `bounds`. */
  kind: 'bounds';
  /** The argument checked. */
  arg: string;
  /** Smallest allowed value. */
  min?: number;
  /** Largest allowed value. */
  max?: number;
  /** The only values allowed. */
  oneOf?: Array<string | number | boolean>;
}

/** One limit signed into a grant. */
export type GrantLimit = RateLimit | TotalLimit | BudgetLimit | BoundsLimit;

// Per kind, its fields and their types (a `?` makes one optional): a whole number >= 0, a
// number >= 0, any number, a non-empty string, a window, a non-empty list of plain values.
const KINDS: Record<string, string> = {
  rate: 'max:i per:w',
  total: 'max:i',
  budget: 'sum:s max:p per?:w unit?:s',
  bounds: 'arg:s min?:n max?:n oneOf?:a',
};

const UNIT_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 36e5, d: 864e5 };

/** A window such as `'90s'`, `'15m'`, `'1h'` or `'7d'` in ms; NaN for anything else. */
export function windowMs(per: unknown): number {
  const m = typeof per === 'string' ? /^([1-9]\d{0,5})([smhd])$/.exec(per) : null;
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : NaN;
}

const plain = (v: unknown) => typeof v === 'string' || typeof v === 'boolean' || Number.isFinite(v);
const TYPES: Record<string, (v: unknown) => boolean> = {
  i: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  p: (v) => Number.isFinite(v) && (v as number) >= 0,
  n: Number.isFinite,
  s: (v) => typeof v === 'string' && v !== '',
  w: (v) => windowMs(v) > 0,
  a: (v) => Array.isArray(v) && v.length > 0 && v.every(plain),
};

/** Why one limit is refused, or '' when it holds. */
function limitDefect(l: Record<string, unknown>, scopes: readonly string[]): string {
  const spec = KINDS[l.kind as string];
  if (typeof l.kind !== 'string' || !spec) return `has unknown kind ${JSON.stringify(l.kind)}`;
  if (!scopes.includes(l.scope as string)) return 'names a scope the grant does not hold';
  const fields = spec.split(' ').map((f) => f.split(':') as [string, string]);
  const extra = Object.keys(l).find((k) => k !== 'kind' && k !== 'scope' && !fields.some(([f]) => f.replace('?', '') === k));
  if (extra !== undefined) return `has unknown field "${extra}"`;
  for (const [f, type] of fields) {
    const name = f.replace('?', '');
    if (l[name] === undefined ? f === name : !TYPES[type]!(l[name])) return `has a missing or bad "${name}"`;
  }
  if (l.kind === 'bounds' && (l.min === undefined && l.max === undefined && l.oneOf === undefined || (l.min as number) > (l.max as number))) return 'bounds nothing, or has "min" above "max"';
  return '';
}

/**
 * The verifier's read of the `limits` claim (absent: none): a list of limits of known kinds
 * on the grant's own scopes, else a plain string is thrown and the grant refused, never
 * treated as unlimited. Each limit's fields are checked in full by {@link parseLimits}, which
 * the enforcer and the authority run (so an app that enforces no limits does not ship it).
 */
export function readLimits(raw: unknown, scopes: readonly string[]): readonly GrantLimit[] {
  if (raw === undefined) return [];
  if (Array.isArray(raw) && raw.every((l) => /^(rate|total|budget|bounds)$/.test(l?.kind) && scopes.includes(l.scope))) return raw as GrantLimit[];
  throw `Claim "${LIMITS_CLAIM}" has a limit of unknown kind or scope`;
}

/**
 * Reads the `limits` claim in full (absent: no limits). Fails closed: anything it cannot read
 * (an unknown kind or field, a scope the grant lacks, a bad value) is thrown as a plain
 * string naming the limit and the field, so the grant is refused rather than treated as unlimited.
 */
export function parseLimits(raw: unknown, scopes: readonly string[]): readonly GrantLimit[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw `Claim "${LIMITS_CLAIM}" must be an array`;
  return Object.freeze(
    raw.map((l: unknown, i) => {
      const defect = l !== null && typeof l === 'object' && !Array.isArray(l) ? limitDefect(l as Record<string, unknown>, scopes) : 'is not an object';
      if (defect) throw `Limit ${i} of claim "${LIMITS_CLAIM}" ${defect}`;
      return Object.freeze(structuredClone(l)) as GrantLimit;
    }),
  );
}
