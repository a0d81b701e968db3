import { GENESIS_HASH, computeEntryHash } from '../../audit/hash.js';
import { verifyHashSignature } from '../../audit/signature.js';
import type { SignedAuditEntry } from '../../audit/types.js';
import type { KeySpans } from '../device-auth/key-spans.js';
import { isCleanString } from '../http/fields.js';

/** Why one uploaded entry was refused (PROTOCOL.md §5). */
export type EntryErrorCode = 'INVALID_ENTRY' | 'BUNDLE_MISMATCH' | 'INVALID_HASH' | 'INVALID_SIGNATURE' | 'SEQ_GAP' | 'BROKEN_CHAIN' | 'DUPLICATE_SEQ';

export interface EntryError {
  /** The entry's `seq`, or null when it has none; `index` is its position in the batch. */
  seq: number | null;
  index: number;
  code: EntryErrorCode;
  message: string;
}

/** An entry that passed every check, with the exact metadata text to store and the key that signed it. */
export interface CheckedEntry {
  entry: SignedAuditEntry;
  metadataText: string | null;
  keyVersion: number;
}

/** What the entries must agree with: the bundle's grant and its audit keys' seq spans. */
export interface BundleIdentity {
  agentDID: string;
  grantId: string;
  scopes: readonly string[];
  spans: KeySpans;
}

const HASH = /^[0-9a-f]{64}$/;
const MAX_METADATA_CHARS = 65_536;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Length of the metadata's JSON text; NaN when it cannot be stringified (nesting deep enough to overflow the stack). */
function metadataLength(metadata: Record<string, unknown>): number {
  try {
    return JSON.stringify(metadata).length;
  } catch {
    return NaN;
  }
}

/** The shape problem of an entry, or null when every field has the right type and size. */
function shapeProblem(e: unknown): string | null {
  if (!isPlainObject(e)) return 'entry must be a JSON object';
  if (!Number.isSafeInteger(e.seq) || (e.seq as number) < 1) return 'seq must be a positive integer';
  if (!isCleanString(e.timestamp, 64) || !Number.isFinite(Date.parse(e.timestamp))) return 'timestamp must be an ISO-8601 string';
  if (!isCleanString(e.action, 256)) return 'action must be a non-empty string';
  if (!isCleanString(e.agentDID, 512, 0)) return 'agentDID must be a string';
  if (!isCleanString(e.grantId, 256, 0)) return 'grantId must be a string';
  if (!Array.isArray(e.scopes) || e.scopes.length > 100 || !e.scopes.every((s) => isCleanString(s, 128))) {
    return 'scopes must be an array of scope strings';
  }
  if (!isCleanString(e.result, 64)) return 'result must be a non-empty string';
  if (e.metadata !== undefined && !isPlainObject(e.metadata)) return 'metadata must be a JSON object when present';
  if (e.metadata !== undefined && !(metadataLength(e.metadata) <= MAX_METADATA_CHARS)) return `metadata must be at most ${MAX_METADATA_CHARS} characters of JSON`;
  if (e.prevHash !== GENESIS_HASH && !(typeof e.prevHash === 'string' && HASH.test(e.prevHash))) {
    return 'prevHash must be 64 lowercase hex characters (or the genesis hash)';
  }
  if (typeof e.hash !== 'string' || !HASH.test(e.hash)) return 'hash must be 64 lowercase hex characters';
  if (typeof e.signature !== 'string') return 'signature must be a string';
  return null;
}

/**
 * Whether the entry belongs to this bundle's grant. An upstream `auth_failure` entry is
 * written before any grant verified, with empty `agentDID`/`grantId` and the scopes the tool
 * required; it is accepted as such (it is still hashed, signed and chained).
 */
function identityProblem(e: SignedAuditEntry, bundle: BundleIdentity): string | null {
  if (e.result === 'auth_failure' && e.agentDID === '' && e.grantId === '') return null;
  if (e.grantId !== bundle.grantId) return `grantId ${e.grantId} is not this bundle's grant`;
  if (e.agentDID !== bundle.agentDID) return `agentDID ${e.agentDID} is not this bundle's agent`;
  const extra = e.scopes.filter((s) => !bundle.scopes.includes(s));
  return extra.length > 0 ? `scopes outside the bundle: ${extra.join(', ')}` : null;
}

type Failure = { code: EntryErrorCode; message: string };
/** The entry needs a look at older unused keys of a legacy bundle (see `searchKeys`). */
const SEARCH = 'search';

function badSignature(e: SignedAuditEntry, bundle: BundleIdentity): Failure {
  const { span } = bundle.spans.choose(e.seq);
  const range = span.toSeq === null ? `starts at seq ${span.fromSeq}` : `is seq ${span.fromSeq}–${span.toSeq}`;
  return { code: 'INVALID_SIGNATURE', message: `seq ${e.seq} does not verify with audit key ${span.version}, whose span ${range}` };
}

const signedBy = async (e: SignedAuditEntry, bundle: BundleIdentity, version: number) => verifyHashSignature(await bundle.spans.key(version), e.hash, e.signature);

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
 * Checks a batch on its own (PROTOCOL.md §5): shape, identity, hash, signature, then
 * continuity with the entry before it in the batch. Reports the first failure of each bad
 * entry; the batch is usable only when `errors` is empty.
 */
export async function checkEntries(raw: readonly unknown[], bundle: BundleIdentity): Promise<{ errors: EntryError[]; checked: CheckedEntry[] }> {
  const errors: EntryError[] = [];
  const checked: CheckedEntry[] = [];
  const seqOf = (e: unknown) => (isPlainObject(e) && Number.isSafeInteger(e.seq) ? (e.seq as number) : null);
  const fail = (index: number, code: EntryErrorCode, message: string) => errors.push({ seq: seqOf(raw[index]), index, code, message });

  const problems = raw.map((e) => {
    const shape = shapeProblem(e);
    if (shape !== null) return { code: 'INVALID_ENTRY' as const, message: shape };
    const identity = identityProblem(e as SignedAuditEntry, bundle);
    return identity === null ? null : { code: 'BUNDLE_MISMATCH' as const, message: identity };
  });
  // Hashes and signatures of the whole batch are checked concurrently; results are read in order.
  const pending = raw.map((e, i) => (problems[i] === null ? cryptoCheck(e as SignedAuditEntry, bundle) : null));
  let newestUsed = 0;
  const search = { exhausted: false };
  for (let i = 0; i < raw.length; i++) {
    let problem = problems[i] ?? (await pending[i]!);
    if (problem === SEARCH) problem = await searchKeys(raw[i] as SignedAuditEntry, bundle, search);
    if (typeof problem === 'object' && problem !== null) {
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
    const version = problem as number;
    // A legacy device moves to a newer key and never back: once a successor signed, older keys are done.
    if (version < newestUsed) {
      fail(i, 'INVALID_SIGNATURE', `seq ${e.seq} is signed with audit key ${version}, retired once key ${newestUsed} signed`);
      continue;
    }
    newestUsed = version;
    checked.push({ entry: e, metadataText: e.metadata === undefined ? null : JSON.stringify(e.metadata), keyVersion: version });
  }
  return { errors, checked };
}
