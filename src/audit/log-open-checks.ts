// What opening a log checks: the head entry, and where the log stands against its high-water mark.
import { HashChainError } from '../errors.js';
import { importEd25519PublicKey } from '../crypto/ed25519.js';
import type { AuditHead, AuditStore } from './audit-store.js';
import { computeEntryHash } from './hash.js';
import type { AuditKeySpan } from './key-spans.js';

/** The head entry must hash to the head hash, or the next append would chain from a damaged entry. */
export async function checkHeadEntry(store: AuditStore, head: AuditHead, base: AuditHead | null): Promise<void> {
  const index = head.seq - (base?.seq ?? 0) - 1;
  for await (const entry of store.read({ fromSeq: head.seq, limit: 1 })) {
    const rehash = await computeEntryHash(entry).catch(() => null); // unhashable shape counts as a bad hash
    if (entry.seq === head.seq && entry.hash === head.hash && rehash === head.hash) return;
    throw new HashChainError(index, 'hash');
  }
  throw new HashChainError(index, 'seq');
}

/** Keys a mark may be signed with: the log's own, the current span's, and the previous span's (a crash between rekey and the mark rewrite). */
export async function markKeys(own: CryptoKey, spans: readonly AuditKeySpan[] | undefined): Promise<CryptoKey[]> {
  const keys = [own];
  const last = spans?.length ?? 0;
  for (const span of spans?.slice(Math.max(0, last - 2)).reverse() ?? []) {
    const key = await importEd25519PublicKey(span.publicKey).catch(() => null);
    if (key) keys.push(key);
  }
  return keys;
}

/** Whether the log no longer reaches the mark's head: shorter, or another entry at that seq. */
export async function isBehind(store: AuditStore, markHead: AuditHead | null, head: AuditHead | null, base: AuditHead | null): Promise<boolean> {
  if (!markHead) return false;
  if (!head || head.seq < markHead.seq) return true;
  if (head.seq === markHead.seq) return head.hash !== markHead.hash;
  if (base && markHead.seq <= base.seq) return markHead.seq === base.seq && base.hash !== markHead.hash; // rotated away: the authority holds it
  for await (const entry of store.read({ fromSeq: markHead.seq, limit: 1 })) return entry.seq !== markHead.seq || entry.hash !== markHead.hash;
  return true;
}
