import type { ChainBreakReason } from '../errors.js';
import { importEd25519PublicKey, type Ed25519KeyInput } from '../crypto/ed25519.js';
import { GENESIS_HASH, computeEntryHash } from './hash.js';
import { entryViolations } from './entry-rules.js';
import { importKeySpans, keyFor, type AuditKeySpan, type ImportedSpan } from './key-spans.js';
import { verifySignedText } from './signature.js';
import type { SignedAuditEntry } from './types.js';

/** The outcome of `verifyChain`: valid with the count, or the 0-based index and reason of the first break. */
export type ChainVerification = { valid: true; count: number; brokenAt?: undefined; reason?: undefined } | { valid: false; brokenAt: number; reason: ChainBreakReason };

/** What `verifyChain` checks besides hashes and links. */
export interface VerifyChainOptions {
  /** Also check every entry's Ed25519 signature with this key (PEM, JWK or CryptoKey). */
  publicKey?: Ed25519KeyInput;
  /**
   * Check each entry's signature with exactly the key whose span holds its `seq` (e.g.
   * `bundle.auditKeySpans`); an entry outside every span is a `signature` break. Wins over `publicKey`.
   */
  keys?: readonly (Omit<AuditKeySpan, 'publicKey'> & { publicKey: Ed25519KeyInput })[];
  /** The entry just before the first one given, to check a segment that does not start at genesis. */
  previous?: { seq: number; hash: string };
  /** Hash/signature checks kept in flight at once (default 32); memory stays bounded by it. */
  concurrency?: number;
}

type Pending = { index: number; check: Promise<ChainBreakReason | null> };

const TEXT_FIELDS = ['timestamp', 'action', 'agentDID', 'grantId', 'result'] as const;

/** The hash input joins fields with String(), so ["x"] would hash like "x": such an entry is not the one signed. */
function hashedFieldsTyped(entry: SignedAuditEntry): boolean {
  return TEXT_FIELDS.every((f) => typeof entry[f] === 'string') && Array.isArray(entry.scopes) && entry.scopes.every((s) => typeof s === 'string');
}

async function checkEntry(entry: SignedAuditEntry, keys: CryptoKey | ImportedSpan[] | undefined): Promise<ChainBreakReason | null> {
  const key = Array.isArray(keys) ? keyFor(keys, entry.seq) : keys;
  if (!hashedFieldsTyped(entry)) return 'hash';
  let hash: string;
  try {
    hash = await computeEntryHash(entry);
  } catch {
    return 'hash'; // Unhashable shape (e.g. scopes not an array): the stored hash cannot be right.
  }
  if (hash !== entry.hash) return 'hash';
  if (Array.isArray(keys) && !key) return 'signature'; // outside every span: no key may sign it
  if (key && !(await verifySignedText(key, entry.hash, entry.signature))) return 'signature';
  // Signed as it stands, but a field breaks the entry rules (a '|' or ',' that lets text move across a boundary, a bad timestamp).
  return entryViolations(entry, { timestamp: true }).length > 0 ? 'malformed' : null;
}

/**
 * Verifies an ordered chain: `seq` rises by one, each `prevHash` is the previous `hash`,
 * each `hash` recomputes, (with `publicKey`, or the span's key of `keys`) each signature verifies, and each
 * entry keeps the entry rules (`entryViolations`, timestamp included: else a `malformed` break). Accepts an array
 * or an async iterable, so a log of any length is checked in bounded memory. `brokenAt` is
 * the 0-based index of the first bad entry.
 */
export async function verifyChain(
  entries: Iterable<SignedAuditEntry> | AsyncIterable<SignedAuditEntry>,
  options: VerifyChainOptions = {},
): Promise<ChainVerification> {
  const key = options.keys ? await importKeySpans(options.keys) : options.publicKey === undefined ? undefined : await importEd25519PublicKey(options.publicKey);
  const window = Math.max(1, options.concurrency ?? 32);
  const pending: Pending[] = [];
  let prevSeq = options.previous?.seq;
  let prevHash = options.previous?.hash ?? GENESIS_HASH;
  let index = 0;

  // Earlier failures win: settle everything queued before reporting a later break.
  async function firstPendingFailure(): Promise<{ brokenAt: number; reason: ChainBreakReason } | null> {
    while (pending.length > 0) {
      const { index: i, check } = pending.shift()!;
      const reason = await check;
      if (reason) return { brokenAt: i, reason };
    }
    return null;
  }

  try {
    for await (const entry of entries) {
      let reason: ChainBreakReason | null = null;
      const seqOk =
        entry !== null &&
        typeof entry === 'object' &&
        Number.isSafeInteger(entry.seq) &&
        entry.seq === (prevSeq === undefined ? 1 : prevSeq + 1);
      if (!seqOk) reason = 'seq';
      else if (entry.prevHash !== prevHash) reason = 'prevHash';
      if (reason) {
        const earlier = await firstPendingFailure();
        return { valid: false, ...(earlier ?? { brokenAt: index, reason }) };
      }
      pending.push({ index, check: checkEntry(entry, key) });
      if (pending.length >= window) {
        const { index: i, check } = pending.shift()!;
        const r = await check;
        if (r) {
          await Promise.allSettled(pending.map((p) => p.check));
          return { valid: false, brokenAt: i, reason: r };
        }
      }
      prevSeq = entry.seq;
      prevHash = entry.hash;
      index++;
    }
  } catch (error) {
    // A reader that fails on a later record (a malformed line) must not hide an earlier break still being checked.
    const earlier = await firstPendingFailure();
    if (earlier) return { valid: false, ...earlier };
    throw error;
  }
  const failure = await firstPendingFailure();
  return failure ? { valid: false, ...failure } : { valid: true, count: index };
}
