import { GENESIS_HASH, computeEntryHash, entryHashInput } from '../../audit/hash.js';
import { verifySignedText } from '../../audit/signature.js';
import type { SignedAuditEntry } from '../../audit/types.js';
import type { KeySpans } from '../device-auth/key-spans.js';
import { ownFlags, type EntryFlag } from './entry-flags.js';

/**
 * Why one uploaded entry was refused (PROTOCOL.md §5): only what makes it unhashable or
 * unstorable, over the size cap, or not this bundle's signed chain. Everything else is stored and flagged.
 */
export type EntryErrorCode = 'INVALID_ENTRY' | 'ENTRY_TOO_LARGE' | 'INVALID_HASH' | 'INVALID_SIGNATURE' | 'SEQ_GAP' | 'BROKEN_CHAIN' | 'DUPLICATE_SEQ';

/** Why the authority refused one entry of an upload. */
export interface EntryError {
  /** The entry's `seq`, or null when it has none; `index` is its position in the batch. */
  seq: number | null;
  /** The entry's 0-based position in the uploaded batch. */
  index: number;
  /** What is wrong with it. */
  code: EntryErrorCode;
  /** Human-readable detail. */
  message: string;
}

/** An entry that passed every check: the exact metadata text to store, the key that signed it, the flags it earned on its own. */
export interface CheckedEntry {
  entry: SignedAuditEntry;
  /** Position in the batch. */
  index: number;
  metadataText: string | null;
  keyVersion: number;
  flags: EntryFlag[];
}

/** What the entries are checked and flagged against: the bundle's grant and its audit keys' seq spans. */
export interface BundleIdentity {
  agentDID: string;
  grantId: string;
  scopes: readonly string[];
  spans: KeySpans;
}

const HASH = /^[0-9a-f]{64}$/;
/**
 * The hard cap on one entry: UTF-8 bytes of what is hashed, plus the signature. Far above the
 * device rules' limits (ENTRY_LIMITS: 60,000 bytes of metadata), so only a hostile client
 * reaches it; what lies between is stored and flagged `oversized`, never refused, so one entry
 * cannot wedge a trail.
 */
export const MAX_ENTRY_BYTES = 256 * 1024;
/** A lone surrogate: PostgreSQL's UTF-8 would store U+FFFD instead, and the stored entry would no longer hash. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A string PostgreSQL stores as it is: no NUL, well-formed Unicode. Any length (the entry cap bounds it). */
const storable = (value: unknown): value is string => typeof value === 'string' && !value.includes('\u0000') && !LONE_SURROGATE.test(value);

/** The metadata's JSON text; null when it cannot be stringified (nesting deep enough to overflow the stack). */
function metadataText(metadata: Record<string, unknown>): string | null {
  try {
    return JSON.stringify(metadata);
  } catch {
    return null;
  }
}

/** UTF-8 length of a string without encoding it. */
function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}

/**
 * The type problem of an entry — a field whose type makes it unhashable or unstorable — or
 * null. Values (lengths, formats, identity) are not refused: they are flagged.
 */
function shapeProblem(e: unknown): string | null {
  if (!isPlainObject(e)) return 'entry must be a JSON object';
  if (!Number.isSafeInteger(e.seq) || (e.seq as number) < 1) return 'seq must be a positive integer';
  if (!storable(e.timestamp)) return 'timestamp must be a string (no NUL, well-formed Unicode)';
  for (const field of ['action', 'agentDID', 'grantId', 'result'] as const) {
    if (!storable(e[field])) return `${field} must be a string (no NUL, well-formed Unicode)`;
  }
  if (!Array.isArray(e.scopes) || !e.scopes.every(storable)) return 'scopes must be an array of strings';
  if (e.metadata !== undefined && !isPlainObject(e.metadata)) return 'metadata must be a JSON object when present';
  if (e.prevHash !== GENESIS_HASH && !(typeof e.prevHash === 'string' && HASH.test(e.prevHash))) {
    return 'prevHash must be 64 lowercase hex characters (or the genesis hash)';
  }
  if (typeof e.hash !== 'string' || !HASH.test(e.hash)) return 'hash must be 64 lowercase hex characters';
  if (typeof e.signature !== 'string' || !storable(e.signature)) return 'signature must be a string';
  return null;
}

type Refusal = { code: EntryErrorCode; message: string };

/** A well-typed entry's metadata text, or its refusal: metadata that cannot be serialised, or over the cap. */
function sizeCheck(e: SignedAuditEntry): Refusal | { text: string | null } {
  const text = e.metadata === undefined ? null : metadataText(e.metadata);
  if (e.metadata !== undefined && text === null) return { code: 'INVALID_ENTRY', message: 'metadata cannot be serialised (nested too deep)' };
  const bytes = utf8Length(entryHashInput(e)) + e.signature.length;
  if (bytes > MAX_ENTRY_BYTES) return { code: 'ENTRY_TOO_LARGE', message: `seq ${e.seq} is ${bytes} bytes; an entry may be at most ${MAX_ENTRY_BYTES}` };
  return { text };
}

type Failure = Refusal;
/** The entry needs a look at older unused keys of a legacy bundle (see `searchKeys`). */
const SEARCH = 'search';

function badSignature(e: SignedAuditEntry, bundle: BundleIdentity): Failure {
  const { span } = bundle.spans.choose(e.seq);
  const range = span.toSeq === null ? `starts at seq ${span.fromSeq}` : `is seq ${span.fromSeq}–${span.toSeq}`;
  return { code: 'INVALID_SIGNATURE', message: `seq ${e.seq} does not verify with audit key ${span.version}, whose span ${range}` };
}

const signedBy = async (e: SignedAuditEntry, bundle: BundleIdentity, version: number) => verifySignedText(await bundle.spans.key(version), e.hash, e.signature);

/**
 * Hash, then signature with the key of the entry's span — and, in a legacy bundle's open span,
 * with the newest unused key too (a legacy device signs with the last key it was sent): the
 * key version that signed it, a failure, or `SEARCH` when only older unused keys are left.
 */
async function cryptoCheck(e: SignedAuditEntry, bundle: BundleIdentity): Promise<Failure | number | typeof SEARCH> {
  if ((await computeEntryHash(e)) !== e.hash) return { code: 'INVALID_HASH', message: 'hash does not match the entry' };
  const { versions } = bundle.spans.choose(e.seq);
  const first = versions.slice(0, 2);
  const ok = await Promise.all(first.map((v) => signedBy(e, bundle, v)));
  const index = ok.indexOf(true);
  if (index >= 0) return first[index]!;
  return versions.length > 2 ? SEARCH : badSignature(e, bundle);
}

/** Older unused keys of a legacy bundle, one after another; after one fruitless search a batch searches no more (it fails anyway). */
async function searchKeys(e: SignedAuditEntry, bundle: BundleIdentity, state: { exhausted: boolean }): Promise<Failure | number> {
  if (!state.exhausted) {
    for (const version of bundle.spans.choose(e.seq).versions.slice(2)) if (await signedBy(e, bundle, version)) return version;
    state.exhausted = true;
  }
  return badSignature(e, bundle);
}

/**
 * Checks a batch on its own (PROTOCOL.md §5): types, size, hash, signature, then continuity
 * with the entry before it in the batch. Reports the first failure of each bad entry; the
 * entries before the first failure are the storable prefix (`storablePrefix`). Each checked
 * entry carries the flags it earned on its own (identity, scopes, the shared entry rules).
 */
export async function checkEntries(raw: readonly unknown[], bundle: BundleIdentity): Promise<{ errors: EntryError[]; checked: CheckedEntry[] }> {
  const errors: EntryError[] = [];
  const checked: CheckedEntry[] = [];
  const seqOf = (e: unknown) => (isPlainObject(e) && Number.isSafeInteger(e.seq) ? (e.seq as number) : null);
  const fail = (index: number, code: EntryErrorCode, message: string) => errors.push({ seq: seqOf(raw[index]), index, code, message });

  const sized = raw.map((e): Refusal | { text: string | null } => {
    const shape = shapeProblem(e);
    return shape === null ? sizeCheck(e as SignedAuditEntry) : { code: 'INVALID_ENTRY', message: shape };
  });
  // Hashes and signatures of the whole batch are checked concurrently; results are read in order.
  const pending = raw.map((e, i) => ('text' in sized[i]! ? cryptoCheck(e as SignedAuditEntry, bundle) : null));
  let newestUsed = 0;
  const search = { exhausted: false };
  for (let i = 0; i < raw.length; i++) {
    const size = sized[i]!;
    if (!('text' in size)) {
      fail(i, size.code, size.message);
      continue;
    }
    let problem = await pending[i]!;
    if (problem === SEARCH) problem = await searchKeys(raw[i] as SignedAuditEntry, bundle, search);
    if (typeof problem === 'object') {
      fail(i, problem.code, problem.message);
      continue;
    }
    const e = raw[i] as SignedAuditEntry;
    if (i > 0) {
      const prevSeq = seqOf(raw[i - 1]);
      if (prevSeq === null || e.seq !== prevSeq + 1) {
        fail(i, 'SEQ_GAP', `seq ${e.seq} does not follow seq ${String(prevSeq)}`);
        continue;
      }
      if (e.prevHash !== (raw[i - 1] as Record<string, unknown>).hash) {
        fail(i, 'BROKEN_CHAIN', 'prevHash is not the hash of the entry before it');
        continue;
      }
    } else if (e.seq === 1 && e.prevHash !== GENESIS_HASH) {
      fail(i, 'BROKEN_CHAIN', 'the first entry must have the genesis prevHash');
      continue;
    }
    // A legacy device moves to a newer key and never back: once a successor signed, older keys are done.
    if (problem < newestUsed) {
      fail(i, 'INVALID_SIGNATURE', `seq ${e.seq} is signed with audit key ${problem}, retired once key ${newestUsed} signed`);
      continue;
    }
    newestUsed = problem;
    checked.push({ entry: e, index: i, metadataText: size.text, keyVersion: problem, flags: ownFlags(e, bundle) });
  }
  return { errors, checked };
}

/** The checked entries before the batch's first refused one: what may be stored. */
export function storablePrefix(checked: readonly CheckedEntry[], errors: readonly EntryError[]): CheckedEntry[] {
  const firstBad = Math.min(Infinity, ...errors.map((e) => e.index));
  return checked.filter((c) => c.index < firstBad);
}
