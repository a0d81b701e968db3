import { isJsonObject as isObj, parseJsonOrNull, utf8Encode } from '../crypto/utf8.js';
import { signText, verifySignedText } from './signature.js';
import { headOf, type AuditHead, type AuditMarkWrite } from './audit-store.js';

/** What a sync's revocation answer latched (PROTOCOL.md §5): kept positively in the mark, so deleting it elsewhere changes nothing. */
export interface RevocationLatch {
  /** The bundle the answer was about. */
  bundleId: string;
  /** When the grant was revoked, if the authority said. */
  revokedAt: string | null;
  /** When this device learned of it. */
  reportedAt: string;
}

/**
 * The sealed high-water mark of a log: the furthest head ever made durable, the clock floor
 * and the revocation latch. A store keeps two slots of it; the valid one with the higher
 * `counter` wins.
 */
export interface HighWaterMark {
  /** Format version. */
  v: 1;
  /** Increases by one with every write; slot `counter % 2` holds it. */
  counter: number;
  /** The bundle the log belongs to, when the log was told (informational). */
  bundleId: string | null;
  /** The last head known durable when the mark was written (null: an empty log). */
  head: AuditHead | null;
  /** The latest timestamp (Unix ms) the log ever stamped: no later entry may be earlier. */
  floor: number;
  /** The authority's revocation answer once a sync recorded one, else null. */
  revoked: RevocationLatch | null;
}

/** Byte size of one slot in a file store (two sector-aligned slots; a torn write of one never touches the other). */
export const MARK_SLOT_BYTES = 2048;

/** Domain separation: a mark signature can never pass for an entry signature (those sign a 64-hex hash). */
const DOMAIN = 'offline-consent/high-water-mark/v1\n';

/**
 * Seals a mark with an **Ed25519 signature by the log's current audit signing key**, not a
 * MAC: the key comes from the sealed bundle and in browsers is a non-extractable
 * `CryptoKey`, which can sign but never yield key material to derive a MAC key from. So
 * the same mark works in every runtime, and only the bundle's holder can write one.
 */
export async function sealMark(mark: HighWaterMark, privateKey: CryptoKey): Promise<AuditMarkWrite> {
  const body = JSON.stringify(mark);
  const signature = await signText(privateKey, DOMAIN + body);
  const record = JSON.stringify({ body, signature });
  if (utf8Encode(record).length >= MARK_SLOT_BYTES) throw new RangeError(`The high-water mark is over ${MARK_SLOT_BYTES - 1} bytes`);
  return { slot: (mark.counter % 2) as 0 | 1, record };
}

/** The result of reading both slots: the newest valid mark (or null) and the slots that held something unverifiable. */
export interface OpenedMark {
  mark: HighWaterMark | null;
  damagedSlots: number[];
}

/**
 * Reads the two slots: each is verified against every key in `publicKeys` (the log's key,
 * then the previous span's: a crash between a rekey and the mark rewrite); a damaged or
 * unverifiable slot is skipped; of the valid ones the higher counter wins.
 */
export async function openMark(slots: readonly (string | null | undefined)[], publicKeys: readonly CryptoKey[]): Promise<OpenedMark> {
  let best: HighWaterMark | null = null;
  const damagedSlots: number[] = [];
  for (let slot = 0; slot < 2; slot++) {
    const text = slots[slot];
    if (text === null || text === undefined || text === '') continue;
    const mark = await verifySlot(text, slot, publicKeys);
    if (!mark) damagedSlots.push(slot);
    else if (!best || mark.counter > best.counter) best = mark;
  }
  return { mark: best, damagedSlots };
}

async function verifySlot(text: string, slot: number, publicKeys: readonly CryptoKey[]): Promise<HighWaterMark | null> {
  const { body, signature } = (parseJsonOrNull(text) ?? {}) as { body?: unknown; signature?: unknown };
  if (typeof body !== 'string') return null;
  let valid = false; // false too for a malformed signature
  for (const key of publicKeys) if ((valid = await verifySignedText(key, DOMAIN + body, signature).catch(() => false))) break;
  if (!valid) return null;
  const mark = checkMark(body);
  return mark && mark.counter % 2 === slot ? mark : null;
}

function checkMark(body: string): HighWaterMark | null {
  const m = parseJsonOrNull(body);
  if (!isObj(m) || m.v !== 1 || !Number.isSafeInteger(m.counter) || (m.counter as number) < 1) return null;
  if (m.bundleId !== null && typeof m.bundleId !== 'string') return null;
  if (typeof m.floor !== 'number' || !Number.isFinite(m.floor)) return null;
  const h = m.head;
  if (h !== null && !(isObj(h) && Number.isSafeInteger(h.seq) && (h.seq as number) > 0 && typeof h.hash === 'string' && typeof h.timestamp === 'string')) return null;
  const r = m.revoked;
  if (r !== null && !(isObj(r) && typeof r.bundleId === 'string' && (r.revokedAt === null || typeof r.revokedAt === 'string') && typeof r.reportedAt === 'string')) return null;
  return {
    v: 1,
    counter: m.counter as number,
    bundleId: m.bundleId as string | null,
    head: h === null ? null : headOf(h as unknown as AuditHead),
    floor: m.floor,
    revoked: toRevocationLatch(r), // null, or the fields just checked
  };
}

/** The latch for a revocation meta value (what a sync stores under `REVOCATION_META`); undefined or null clears it. */
export function toRevocationLatch(value: unknown): RevocationLatch | null {
  if (value === undefined || value === null) return null;
  const r = isObj(value) ? value : {};
  return {
    bundleId: typeof r.bundleId === 'string' ? r.bundleId : '',
    revokedAt: typeof r.revokedAt === 'string' ? r.revokedAt : null,
    reportedAt: typeof r.reportedAt === 'string' ? r.reportedAt : '',
  };
}
