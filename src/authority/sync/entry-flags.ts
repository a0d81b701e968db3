import { ambiguousFields, entryViolations, isRfc3339Utc, type EntryRule } from '../../audit/entry-rules.js';
import type { SignedAuditEntry } from '../../audit/types.js';

/**
 * Why a stored entry deserves a look (PROTOCOL.md §5). A validly signed, chained entry is
 * evidence: it is stored whatever it says, and what is odd about it is flagged.
 */
export type EntryFlag =
  /** Timestamp not RFC 3339 UTC, or earlier than the entry before it. */
  | 'clockAnomaly'
  /** Timestamp after the bundle's offline deadline or after the authority's clock plus skew. */
  | 'afterDeadline'
  /** A tool that ran after the revocation time, or a seq above the head the device reported before revocation. */
  | 'afterRevocation'
  /** '|' or ',' (or an empty scope) where they make field boundaries of the hash input ambiguous. */
  | 'ambiguousFields'
  /** Scopes outside the bundle's. */
  | 'outOfScope'
  /** A tool that ran past one of the grant's limits (rate, total, budget, argument bounds), recounted from the stored trail. */
  | 'limitExceeded'
  /** An agent or grant that is not the bundle's (upstream `auth_failure` entries with empty ones excepted). */
  | 'identityMismatch'
  /** Past the device rules' limits: metadata bytes or depth, field lengths, number of scopes. */
  | 'oversized'
  /** Breaks another device rule: an empty action or result. */
  | 'malformed';

/** Every entry flag, in the order they are reported whatever order they were found in. */
export const ENTRY_FLAGS: readonly EntryFlag[] = ['clockAnomaly', 'afterDeadline', 'afterRevocation', 'ambiguousFields', 'outOfScope', 'limitExceeded', 'identityMismatch', 'oversized', 'malformed'];
const ORDER = ENTRY_FLAGS;

/** Flags in the {@link ENTRY_FLAGS} order, each once. */
export const sortFlags = (flags: Iterable<EntryFlag>): EntryFlag[] => {
  const set = new Set(flags);
  return ORDER.filter((f) => set.has(f));
};

/** Clock skew allowed between a device and the authority before a timestamp counts as in the future. */
export const FUTURE_SKEW_MS = 5 * 60_000;

const RULE_FLAG: Record<EntryRule, EntryFlag | null> = {
  type: null, // Refused before flagging (INVALID_ENTRY): such an entry cannot be hashed or stored.
  length: 'oversized',
  'metadata-bytes': 'oversized',
  'metadata-depth': 'oversized',
  'metadata-value': 'oversized',
  empty: 'malformed',
  separator: 'ambiguousFields',
  timestamp: 'clockAnomaly',
};

/** What an entry must agree with, for the flags an entry earns on its own. */
export interface FlagIdentity {
  agentDID: string;
  grantId: string;
  scopes: readonly string[];
}

/** Flags an entry earns on its own, from the shared entry rules and the bundle's identity. */
export function ownFlags(e: SignedAuditEntry, bundle: FlagIdentity): EntryFlag[] {
  const flags = new Set<EntryFlag>();
  for (const v of entryViolations(e, { timestamp: true })) {
    // An empty scope is an ambiguity ([] and [""] hash alike); an empty action or result is malformed.
    const flag = v.rule === 'empty' && v.field.startsWith('scopes[') ? 'ambiguousFields' : RULE_FLAG[v.rule];
    if (flag) flags.add(flag);
  }
  if (!isRfc3339Utc(e.timestamp)) flags.add('clockAnomaly');
  if (ambiguousFields(e).length > 0) flags.add('ambiguousFields');
  // An upstream `auth_failure` is written before any grant verified: empty identity, the tool's required scopes.
  const upstreamAuthFailure = e.result === 'auth_failure' && e.agentDID === '' && e.grantId === '';
  if (!upstreamAuthFailure) {
    if (e.agentDID !== bundle.agentDID || e.grantId !== bundle.grantId) flags.add('identityMismatch');
    if (e.scopes.some((s) => !bundle.scopes.includes(s))) flags.add('outOfScope');
  }
  return sortFlags(flags);
}

/** Where the chain and the bundle stood when an entry is stored, for the flags that depend on it. */
export interface FlagContext {
  /** Unix ms of the entry before it (NaN when unknown or unparsable). */
  previousMs: number;
  offlineExpiresAtMs: number;
  nowMs: number;
  revokedAtMs: number | null;
  /** The head the device reported before the bundle was revoked (null: never reported, or not revoked). */
  revokedHeadSeq: number | null;
}

/** A tool that ran: its effects happened, so after revocation it matters. */
const RAN = new Set(['success', 'execution_error']);

/** Flags that depend on the stored chain and the bundle (under the bundle's lock). */
export function chainFlags(e: SignedAuditEntry, ctx: FlagContext): EntryFlag[] {
  const flags: EntryFlag[] = [];
  const at = Date.parse(e.timestamp); // NaN for what no parser reads; "2030" and RFC 2822 dates still compare.
  if (Number.isFinite(at) && Number.isFinite(ctx.previousMs) && at < ctx.previousMs) flags.push('clockAnomaly');
  if (Number.isFinite(at) && (at > ctx.offlineExpiresAtMs || at > ctx.nowMs + FUTURE_SKEW_MS)) flags.push('afterDeadline');
  const ranAfter = ctx.revokedAtMs !== null && RAN.has(e.result) && Number.isFinite(at) && at > ctx.revokedAtMs;
  if (ranAfter || (ctx.revokedHeadSeq !== null && e.seq > ctx.revokedHeadSeq)) flags.push('afterRevocation');
  return flags;
}
