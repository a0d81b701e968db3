/**
 * The one set of rules every audit entry keeps (PROTOCOL.md §3): `append()` refuses an entry
 * that breaks one, `verifyChain` reports it as a `malformed` break, and the authority flags
 * it. The limits sit inside what the authority stores, so an entry the device accepted is
 * one the authority stores unflagged. Pure functions; no runtime-specific code.
 */
import { isJsonObject, utf8Encode } from '../crypto/utf8.js';
import { copyJson, JsonRefusal } from './json-value.js';

/** Which rule an entry field breaks. */
export type EntryRule = 'type' | 'length' | 'empty' | 'separator' | 'timestamp' | 'metadata-bytes' | 'metadata-depth' | 'metadata-value';

/** One broken rule of an audit entry. */
export interface EntryRuleViolation {
  /** The field, e.g. `action`, `scopes[2]`, `metadata.a.b`. */
  field: string;
  /** The rule it breaks. */
  rule: EntryRule;
  /** A sentence naming the field and the rule. */
  message: string;
}

/** The limits of the rules: string lengths in UTF-16 code units, metadata as UTF-8 bytes of its JSON. */
export const ENTRY_LIMITS = Object.freeze({
  /** Longest `action`. */
  actionChars: 256,
  /** Longest `agentDID`. */
  agentDIDChars: 512,
  /** Longest `grantId`. */
  grantIdChars: 256,
  /** Longest `result`. */
  resultChars: 64,
  /** Longest single scope. */
  scopeChars: 128,
  /** Most scopes on one entry. */
  scopes: 100,
  /** Below the authority's old 65,536-character limit, whatever the characters. */
  metadataBytes: 60_000,
  /** The metadata object itself is depth 1. */
  metadataDepth: 32,
  /** Longest `timestamp`. */
  timestampChars: 64,
});

/** The caller-given fields an entry is checked on (any of them may be of the wrong type). */
export interface EntryFields {
  action?: unknown;
  agentDID?: unknown;
  grantId?: unknown;
  scopes?: unknown;
  result?: unknown;
  metadata?: unknown;
  timestamp?: unknown;
}

const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** A lone surrogate: UTF-8 turns it into U+FFFD, so two different strings would hash alike. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** RFC 3339 in UTC, as the log writes it: YYYY-MM-DDTHH:MM:SS(.fraction)?Z, a real calendar date. */
export function isRfc3339Utc(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > ENTRY_LIMITS.timestampChars) return false;
  const m = RFC3339_UTC.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS[month - 1]!);
}

// `empty`: what follows "must not be empty" when an empty value breaks a rule; undefined: allowed.
const TEXT_FIELDS = [
  { field: 'action', max: ENTRY_LIMITS.actionChars, empty: '' },
  { field: 'agentDID', max: ENTRY_LIMITS.agentDIDChars }, // empty in upstream `auth_failure` entries
  { field: 'grantId', max: ENTRY_LIMITS.grantIdChars },
  { field: 'result', max: ENTRY_LIMITS.resultChars, empty: '' },
] as const;

type TextField = (typeof TEXT_FIELDS)[number]['field'];

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** The violation of `rule` by `field`, its message "Audit entry <field> must <must>". */
function broken(field: string, rule: EntryRule, must: string): EntryRuleViolation {
  return { field, rule, message: `Audit entry ${field} must ${must}` };
}

/**
 * Pushes what a text value breaks: type, NUL and surrogates (the authority's storage refuses
 * NUL), emptiness, length, and the hash input's separators ('|', and ',' inside a scope).
 */
function textViolations(value: unknown, field: string, max: number, empty: string | undefined, scope: boolean, out: EntryRuleViolation[]): void {
  if (typeof value !== 'string') return void out.push(broken(field, 'type', `be a string, got ${describe(value)}`));
  if (value.includes('\u0000')) return void out.push(broken(field, 'type', 'not contain NUL'));
  if (LONE_SURROGATE.test(value)) return void out.push(broken(field, 'type', 'be well-formed Unicode (it has a lone surrogate)'));
  if (empty !== undefined && value.length === 0) out.push(broken(field, 'empty', `not be empty${empty}`));
  if (value.length > max) out.push(broken(field, 'length', `be at most ${max} characters, got ${value.length}`));
  if (scope ? value.includes(',') || value.includes('|') : value.includes('|')) {
    out.push(broken(field, 'separator', scope ? "not contain ',' or '|', the hash input's separators" : "not contain '|', the hash input's field separator"));
  }
}

function scopeViolations(scopes: unknown, out: EntryRuleViolation[]): void {
  if (!Array.isArray(scopes)) return void out.push(broken('scopes', 'type', `be an array of strings, got ${describe(scopes)}`));
  if (scopes.length > ENTRY_LIMITS.scopes) out.push(broken('scopes', 'length', `hold at most ${ENTRY_LIMITS.scopes} scopes, got ${scopes.length}`));
  for (let i = 0; i < scopes.length; i++) textViolations(scopes[i], `scopes[${i}]`, ENTRY_LIMITS.scopeChars, ' ([] and [""] would hash alike)', true, out);
}

/**
 * A plain-JSON copy of metadata, reading every property (and `toJSON`) exactly once, as
 * `JSON.stringify` would, or the rule it breaks: not a plain object (`type`); a function,
 * symbol, BigInt, NaN/Infinity, cycle, `undefined` in an array or class instance such as a
 * Map, which JSON would drop or change (`metadata-value`); nesting past
 * `ENTRY_LIMITS.metadataDepth` (`metadata-depth`). `undefined` properties are omitted, as JSON does.
 */
export function copyMetadata(metadata: unknown): { copy: Record<string, unknown> } | { violation: EntryRuleViolation } {
  const notObject = (value: unknown, from = '') =>
    isJsonObject(value) ? null : { violation: broken('metadata', 'type', `be a plain object, got ${describe(value)}${from}`) };
  const refused = notObject(metadata);
  if (refused) return refused;
  let result: unknown;
  try {
    // The metadata object itself is depth 1 of the limit, depth 0 of the walk.
    result = copyJson(metadata, 'metadata', ENTRY_LIMITS.metadataDepth - 1, (at) => `metadata must be nested at most ${ENTRY_LIMITS.metadataDepth} levels deep (${at} is deeper)`);
  } catch (error) {
    if (error instanceof JsonRefusal) return { violation: { field: error.at, rule: error.rule, message: `Audit entry ${error.message}` } };
    throw error;
  }
  return notObject(result, ' from its toJSON') ?? { copy: result as Record<string, unknown> };
}

function metadataViolations(metadata: unknown, out: EntryRuleViolation[]): void {
  if (metadata === undefined) return;
  const result = copyMetadata(metadata);
  if ('violation' in result) {
    out.push(result.violation);
    return;
  }
  // JSON.stringify escapes lone surrogates, so this is the exact UTF-8 size of what is stored.
  const bytes = utf8Encode(JSON.stringify(result.copy)).length;
  if (bytes > ENTRY_LIMITS.metadataBytes) {
    out.push(broken('metadata', 'metadata-bytes', `be at most ${ENTRY_LIMITS.metadataBytes} bytes of JSON, got ${bytes}`));
  }
}

/**
 * Every rule the caller-given fields of an entry break (action, agentDID, grantId, scopes,
 * result, metadata), in field order; empty when the entry keeps them all. The timestamp is
 * checked (RFC 3339 UTC) only with `{ timestamp: true }`, since `append()` sets it itself.
 * Metadata is read as plain data: run it on a copy (see `snapshotMetadata`) when it may have getters.
 */
export function entryViolations(entry: EntryFields, options: { timestamp?: boolean } = {}): EntryRuleViolation[] {
  const out: EntryRuleViolation[] = [];
  if (options.timestamp && !isRfc3339Utc(entry.timestamp)) {
    out.push(broken('timestamp', 'timestamp', 'be RFC 3339 in UTC (YYYY-MM-DDTHH:MM:SS[.fraction]Z, a real date)'));
  }
  for (const f of TEXT_FIELDS) textViolations(entry[f.field as TextField], f.field, f.max, 'empty' in f ? f.empty : undefined, false, out);
  scopeViolations(entry.scopes, out);
  metadataViolations(entry.metadata, out);
  return out;
}

/**
 * Fields whose '|' or ',' (or an empty scope) make the hash input ambiguous, in field order:
 * e.g. `['action', 'scopes']`. Text could move across such a boundary without changing the hash.
 */
export function ambiguousFields(entry: Omit<EntryFields, 'metadata' | 'timestamp'>): string[] {
  const hasBar = (value: unknown) => typeof value === 'string' && value.includes('|');
  const scopes = entry.scopes;
  const scopesAmbiguous = Array.isArray(scopes) && scopes.some((s) => typeof s === 'string' && (s === '' || s.includes(',') || s.includes('|')));
  const fields: string[] = (['action', 'agentDID', 'grantId'] as const).filter((f) => hasBar(entry[f]));
  if (scopesAmbiguous) fields.push('scopes');
  if (hasBar(entry.result)) fields.push('result');
  return fields;
}
