// The grant limits the playground offers at consent, with defaults from the demo tools, and
// the strict check its server applies before asking the authority to sign them into the grant.
// Pure (no DOM): the page and the server both import it.
import type { GrantLimit, LimitUsage } from 'offline-consent';

/** A number the user may change, within what the offer allows. */
export interface NumberField {
  key: 'max' | 'min';
  label: string;
  value: number;
  from: number;
  to: number;
}

/** One limit the consent form offers; `fields` are its editable numbers, the rest is fixed. */
export interface LimitOffer {
  id: string;
  scope: string;
  kind: GrantLimit['kind'];
  /** The fixed parts of the limit (window, argument). */
  fixed: Record<string, string>;
  fields: NumberField[];
  /** The form's text around the numbers: `{max}` and `{min}` stand for their inputs. */
  text: string;
}

/**
 * Bounds come before the rate, so a call out of bounds is refused for its temperature (and,
 * being refused, uses none of the rate). No demo tool spends money, so no budget is offered.
 */
export const LIMIT_OFFERS: readonly LimitOffer[] = [
  {
    id: 'thermostat-bounds', scope: 'thermostat:write', kind: 'bounds', fixed: { arg: 'celsius' },
    fields: [
      { key: 'min', label: 'Lowest thermostat temperature, °C', value: 16, from: 10, to: 28 },
      { key: 'max', label: 'Highest thermostat temperature, °C', value: 26, from: 10, to: 28 },
    ],
    text: 'Thermostat only {min} to {max} °C',
  },
  {
    id: 'thermostat-rate', scope: 'thermostat:write', kind: 'rate', fixed: { per: '1h' },
    fields: [{ key: 'max', label: 'Most thermostat changes per hour', value: 3, from: 1, to: 100 }],
    text: 'Thermostat at most {max} changes per hour',
  },
  {
    id: 'email-total', scope: 'email:send', kind: 'total', fixed: {},
    fields: [{ key: 'max', label: 'Most emails in all', value: 5, from: 1, to: 100 }],
    text: 'Email at most {max} messages in all',
  },
];

/** The limit an offer makes with these numbers. */
export function limitFrom(offer: LimitOffer, values: Partial<Record<'max' | 'min', number>>): GrantLimit {
  const numbers = Object.fromEntries(offer.fields.map((f) => [f.key, values[f.key] ?? f.value]));
  return { scope: offer.scope, kind: offer.kind, ...offer.fixed, ...numbers } as GrantLimit;
}

/**
 * Why `raw` is not a list of limits the playground offers for `scopes` (distinct offers, each
 * of the offered shape exactly, whole numbers within the offer's range, bounds not inverted),
 * or '' when it is.
 */
export function limitsDefect(raw: unknown, scopes: readonly string[]): string {
  if (!Array.isArray(raw)) return 'limits must be an array';
  const used = new Set<string>();
  for (const [i, l] of raw.entries()) {
    if (l === null || typeof l !== 'object' || Array.isArray(l)) return `limit ${i} is not an object`;
    const fields = l as Record<string, unknown>;
    const offer = LIMIT_OFFERS.find((o) => o.scope === fields.scope && o.kind === fields.kind && Object.entries(o.fixed).every(([k, v]) => fields[k] === v));
    if (!offer) return `limit ${i} is not one the playground offers`;
    if (!scopes.includes(offer.scope)) return `limit ${i} is on ${offer.scope}, a scope not asked for`;
    if (used.has(offer.id)) return `limit ${i} repeats an offer`;
    used.add(offer.id);
    const allowed = new Set(['scope', 'kind', ...Object.keys(offer.fixed), ...offer.fields.map((f) => f.key)]);
    const extra = Object.keys(fields).find((k) => !allowed.has(k));
    if (extra !== undefined) return `limit ${i} has an unknown field "${extra}"`;
    for (const f of offer.fields) {
      const v = fields[f.key];
      if (!(Number.isSafeInteger(v) && (v as number) >= f.from && (v as number) <= f.to)) return `limit ${i}: "${f.key}" must be a whole number from ${f.from} to ${f.to}`;
    }
    if (typeof fields.min === 'number' && typeof fields.max === 'number' && fields.min > fields.max) return `limit ${i}: "min" is above "max"`;
  }
  return '';
}

/** What one call is, in words, for a scope's limits. */
const NOUNS: Record<string, [one: string, many: string]> = {
  'thermostat:write': ['change', 'changes'],
  'email:send': ['email', 'emails'],
};
const TOOL_NAMES: Record<string, string> = { 'thermostat:write': 'thermostat', 'email:send': 'email', 'sensor:read': 'sensors', 'calendar:read': 'calendar' };
const UNITS: Record<string, string> = { celsius: '°C' };

const WINDOWS: Record<string, string> = { '1h': 'this hour', '24h': 'today', '1d': 'today' };

/** A limit's rule alone, short: `16–26 °C`, `3 per 1h`, `5 in all`. */
export function describeLimit(l: GrantLimit): string {
  switch (l.kind) {
    case 'bounds': {
      const unit = UNITS[l.arg] ? ` ${UNITS[l.arg]}` : '';
      const range = l.min !== undefined && l.max !== undefined ? `${l.min}–${l.max}${unit}`
        : l.min !== undefined ? `at least ${l.min}${unit}` : l.max !== undefined ? `at most ${l.max}${unit}` : '';
      const of = l.oneOf ? `one of ${l.oneOf.join(', ')}` : '';
      return `${UNITS[l.arg] ? '' : `${l.arg} `}${[range, of].filter(Boolean).join(', ')}`;
    }
    case 'rate': return `${l.max} per ${l.per}`;
    case 'total': return `${l.max} in all`;
    case 'budget': return `${l.max}${l.unit ? ` ${l.unit}` : ''} ${l.per ? `per ${l.per}` : 'in all'}`;
  }
}

/** Where a limit stands, for people: `thermostat: 2 of 3 changes this hour, frees 14:05`, `thermostat: 16–26 °C`. */
export function describeUsage(u: LimitUsage, time: (iso: string) => string): string {
  const l = u.limit;
  const who = TOOL_NAMES[l.scope] ?? l.scope;
  if (l.kind === 'bounds') return `${who}: ${describeLimit(l)}`;
  const [one, many] = NOUNS[l.scope] ?? ['call', 'calls'];
  const what = l.kind === 'budget' ? (l.unit ?? l.sum) : l.max === 1 ? one : many;
  const per = 'per' in l && l.per ? (WINDOWS[l.per] ?? `per ${l.per}`) : 'in all';
  const frees = u.resetAt && u.used > 0 ? `, frees ${time(u.resetAt)}` : '';
  return `${who}: ${u.used} of ${l.max} ${what} ${per}${frees}`;
}
