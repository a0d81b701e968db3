// fast-check edits of a signed audit chain, and an oracle for where verifyChain must report
// the first break, computed only from the original chain (not from src/audit).
import fc from 'fast-check';
import type { ChainBreakReason, SignedAuditEntry } from '../../src/index.js';

export type ChainOp =
  | { kind: 'field'; at: number; field: string; value: unknown }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'duplicate'; from: number; to: number }
  | { kind: 'delete'; at: number }
  | { kind: 'truncate'; keep: number };

const FIELDS = ['seq', 'timestamp', 'action', 'agentDID', 'grantId', 'scopes', 'result', 'metadata', 'prevHash', 'hash', 'signature'];
const CONTENT = ['timestamp', 'action', 'agentDID', 'grantId', 'scopes', 'result', 'metadata'];

/** A replacement value: another of the same type, a type confusion (string in an array, number as text), or junk. */
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('WRAP', 'SUFFIX', 'UPPER', 'REORDER', 'AS_STRING', 'DROP'),
  fc.integer({ min: -2, max: 100 }),
  fc.constantFrom(null, true, 1.5, [], {}, ['sensor:read', 'x'], 'sensor:read'),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

/** Turns the symbolic values above into edits of the field's current value. */
function resolve(current: unknown, value: unknown): unknown {
  switch (value) {
    case 'WRAP': return [current];
    case 'SUFFIX': return typeof current === 'string' ? `${current} ` : current === undefined ? {} : `${JSON.stringify(current)}x`;
    case 'UPPER': return typeof current === 'string' ? current.toUpperCase() : current;
    case 'REORDER': return current && typeof current === 'object' && !Array.isArray(current) ? Object.fromEntries(Object.entries(current).reverse()) : current;
    case 'AS_STRING': return typeof current === 'number' ? String(current) : current;
    case 'DROP': return undefined;
    default: return value;
  }
}

export function chainOpArb(length: number): fc.Arbitrary<ChainOp> {
  const at = fc.nat({ max: length - 1 });
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('field' as const), at, field: fc.constantFrom(...FIELDS), value: valueArb }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap' as const), a: at, b: at }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), from: at, to: fc.nat({ max: length }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat({ max: length }) }) },
  );
}

export function applyChainOps(chain: readonly SignedAuditEntry[], ops: ChainOp[]): unknown[] {
  const out: unknown[] = chain.map((e) => structuredClone(e));
  for (const op of ops) {
    if (out.length === 0) break;
    if (op.kind === 'field') {
      const target = out[op.at % out.length] as Record<string, unknown>;
      const value = resolve(target[op.field], op.value);
      if (value === undefined) delete target[op.field];
      else target[op.field] = value;
    } else if (op.kind === 'swap') {
      const [a, b] = [op.a % out.length, op.b % out.length];
      [out[a], out[b]] = [out[b], out[a]];
    } else if (op.kind === 'duplicate') {
      out.splice(op.to % (out.length + 1), 0, structuredClone(out[op.from % out.length]));
    } else if (op.kind === 'delete') {
      out.splice(op.at % out.length, 1);
    } else {
      out.length = Math.min(out.length, op.keep);
    }
  }
  return out;
}

/** The fields that decide an entry, in a fixed order; metadata keeps its own key order (the hash does). */
function fingerprint(e: unknown, fields: string[]): string {
  if (e === null || typeof e !== 'object') return `!${JSON.stringify(e)}`;
  const r = e as Record<string, unknown>;
  return JSON.stringify(fields.map((f) => (f in r ? r[f] : '<absent>')));
}

/** Stands for a stored record that is not an entry at all (a log line that is not a JSON object with a numeric seq). */
export const MALFORMED = Symbol('malformed');

export type Expected = { valid: true; count: number } | { valid: false; brokenAt: number; reason: ChainBreakReason };

/**
 * A chain from genesis has exactly one valid entry per position: the original one. So the first
 * position whose entry differs from the original is the break, and the kind of difference is
 * the reason, in verifyChain's order of checks (seq, prevHash, then hash, then signature).
 */
export function expectedBreak(original: readonly SignedAuditEntry[], mutated: readonly unknown[]): Expected {
  for (let i = 0; i < mutated.length; i++) {
    const e = mutated[i];
    const o = original[i];
    if (e === MALFORMED) return { valid: false, brokenAt: i, reason: 'malformed' };
    if (!o) return { valid: false, brokenAt: i, reason: 'seq' }; // longer than the original: an extra entry
    if (fingerprint(e, FIELDS) === fingerprint(o, FIELDS)) continue;
    if (fingerprint(e, ['seq']) !== fingerprint(o, ['seq'])) return { valid: false, brokenAt: i, reason: 'seq' };
    if (fingerprint(e, ['prevHash']) !== fingerprint(o, ['prevHash'])) return { valid: false, brokenAt: i, reason: 'prevHash' };
    if (fingerprint(e, [...CONTENT, 'hash']) !== fingerprint(o, [...CONTENT, 'hash'])) return { valid: false, brokenAt: i, reason: 'hash' };
    return { valid: false, brokenAt: i, reason: 'signature' };
  }
  return { valid: true, count: mutated.length };
}
