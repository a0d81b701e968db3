// fast-check generators of field-boundary rewrites: two audit entries whose hash inputs
// (PROTOCOL.md §3, fields joined with '|', scopes with ',') are the same string, because text
// moved across a '|' between action/agentDID/grantId/scopes/result, scopes were split or
// merged around a ',', or an empty scope appeared ([] vs [""]). Written independently of
// src/audit/entry-rules.ts: which side breaks a rule is the generator's own claim.
import fc from 'fast-check';
import type { AuditEntry } from '../../src/index.js';

export type RewriteKind = 'bar-move' | 'scope-split' | 'empty-scope';

/** The same hash input spelled two ways; `ambiguous` says which spellings hold a separator inside a field or an empty scope. */
export interface BoundaryRewrite {
  kind: RewriteKind;
  /** For `bar-move`: the boundary the text crossed, e.g. `action|agentDID`. */
  boundary: string;
  pair: [AuditEntry, AuditEntry];
  ambiguous: [boolean, boolean];
}

const SLOTS = ['action', 'agentDID', 'grantId', 'scopes', 'result'] as const;
type Slots = [string, string, string, string, string];

/** Field text with no separator: letters, digits and the punctuation DIDs and scopes use. */
const clean = (min = 1) => fc.stringMatching(new RegExp(`^[a-z0-9:._=-]{${min},12}$`));

function fromSlots(slots: Slots, scopes?: string[]): AuditEntry {
  const [action, agentDID, grantId, joined, result] = slots;
  return { action, agentDID, grantId, scopes: scopes ?? [joined], result };
}

const baseSlots: fc.Arbitrary<Slots> = fc.tuple(clean(), clean(), clean(), clean(), clean());

/** Text moves across the '|' between two neighbouring slots: `X|Y` + `Z` ↔ `X` + `Y|Z`. */
const barMove: fc.Arbitrary<BoundaryRewrite> = fc
  .record({ slots: baseSlots, at: fc.integer({ min: 0, max: SLOTS.length - 2 }), x: clean(), y: clean(0), z: clean(), flip: fc.boolean() })
  .map(({ slots, at, x, y, z, flip }) => {
    const left = [...slots] as Slots;
    left[at] = `${x}|${y}`;
    left[at + 1] = z;
    const right = [...slots] as Slots;
    right[at] = x;
    right[at + 1] = `${y}|${z}`;
    const pair: [AuditEntry, AuditEntry] = [fromSlots(left), fromSlots(right)];
    return { kind: 'bar-move' as const, boundary: `${SLOTS[at]}|${SLOTS[at + 1]}`, pair: flip ? [pair[1], pair[0]] : pair, ambiguous: [true, true] as [boolean, boolean] };
  });

/** Scopes split or merged around a ',': [..., "a,b", ...] ↔ [..., "a", "b", ...]. */
const scopeSplit: fc.Arbitrary<BoundaryRewrite> = fc
  .record({ slots: baseSlots, before: fc.array(clean(), { maxLength: 2 }), a: clean(), b: clean(), after: fc.array(clean(), { maxLength: 2 }), flip: fc.boolean() })
  .map(({ slots, before, a, b, after, flip }) => {
    const merged = fromSlots(slots, [...before, `${a},${b}`, ...after]);
    const split = fromSlots(slots, [...before, a, b, ...after]);
    const pair: [AuditEntry, AuditEntry] = flip ? [split, merged] : [merged, split];
    return { kind: 'scope-split' as const, boundary: 'scopes', pair, ambiguous: [pair[0] === merged, pair[1] === merged] as [boolean, boolean] };
  });

/** An empty scope: [] ↔ [""], [a, ""] ↔ ["a,"], ["", a] ↔ [",a"]. */
const emptyScope: fc.Arbitrary<BoundaryRewrite> = fc
  .record({ slots: baseSlots, a: clean(), form: fc.constantFrom('none', 'after', 'before'), flip: fc.boolean() })
  .map(({ slots, a, form, flip }) => {
    const [x, y, xAmbiguous]: [string[], string[], boolean] =
      form === 'none' ? [[], [''], false] : form === 'after' ? [[a, ''], [`${a},`], true] : [['', a], [`,${a}`], true];
    const pair: [AuditEntry, AuditEntry] = [fromSlots(slots, x), fromSlots(slots, y)];
    const ambiguous: [boolean, boolean] = [xAmbiguous, true];
    return {
      kind: 'empty-scope' as const,
      boundary: 'scopes',
      pair: flip ? [pair[1], pair[0]] : pair,
      ambiguous: flip ? [ambiguous[1], ambiguous[0]] : ambiguous,
    };
  });

/** Any field-boundary rewrite; metadata (optional, the same on both sides) rides along. */
export function boundaryRewriteArb(): fc.Arbitrary<BoundaryRewrite> {
  return fc
    .record({ rewrite: fc.oneof(barMove, scopeSplit, emptyScope), metadata: fc.option(fc.dictionary(clean(), fc.oneof(clean(0), fc.integer()), { maxKeys: 2 }), { nil: undefined }) })
    .map(({ rewrite, metadata }) => {
      if (metadata === undefined) return rewrite;
      const [a, b] = rewrite.pair;
      return { ...rewrite, pair: [{ ...a, metadata }, { ...b, metadata }] };
    });
}
