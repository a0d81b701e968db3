import { OfflineConsentError } from '../errors.js';
import { importEd25519PublicKey, type Ed25519KeyInput } from '../crypto/ed25519.js';

/** Which audit key signs which `seq` range (PROTOCOL.md §9); `toSeq` is null for the current key. */
export interface AuditKeySpan {
  /** First seq this key signs. */
  fromSeq: number;
  /** Last seq this key signs; null while it is the current key. */
  toSeq: number | null;
  /** SPKI PEM. */
  publicKey: string;
}

/** Meta name under which a log records its key spans. */
export const KEY_SPANS_META = 'auditKeySpans';

/** A span whose key is already imported. */
export type ImportedSpan = { fromSeq: number; toSeq: number | null; key: CryptoKey };

/** Checks spans (ordered, not overlapping, integer bounds) and imports each key once. */
export async function importKeySpans(spans: readonly { fromSeq: number; toSeq: number | null; publicKey: Ed25519KeyInput }[]): Promise<ImportedSpan[]> {
  if (!Array.isArray(spans)) throw new OfflineConsentError('keys must be an array of { fromSeq, toSeq, publicKey }', 'INVALID_KEY');
  let after = 0;
  return Promise.all(
    spans.map((s, i) => {
      const ok = s && Number.isSafeInteger(s.fromSeq) && s.fromSeq > after && (s.toSeq === null || (Number.isSafeInteger(s.toSeq) && s.toSeq >= s.fromSeq - 1));
      if (!ok || (s.toSeq === null && i < spans.length - 1)) throw new OfflineConsentError(`Key span ${i} is not after the one before it`, 'INVALID_KEY');
      after = s.toSeq ?? Infinity;
      return importEd25519PublicKey(s.publicKey).then((key) => ({ fromSeq: s.fromSeq, toSeq: s.toSeq, key }));
    }),
  );
}

/** The key whose span holds `seq`, or undefined (an entry outside every span). */
export function keyFor(spans: readonly ImportedSpan[], seq: number): CryptoKey | undefined {
  return spans.find((s) => s.fromSeq <= seq && (s.toSeq === null || seq <= s.toSeq))?.key;
}

/** The spans after a key change at `headSeq`: the open span closes there, the new key's opens at `headSeq + 1`. */
export function nextSpans(spans: readonly AuditKeySpan[], headSeq: number, publicKey: string): AuditKeySpan[] {
  const closed = spans.map((s) => (s.toSeq === null ? { ...s, toSeq: headSeq } : s)).filter((s) => s.toSeq! >= s.fromSeq);
  return [...closed, { fromSeq: headSeq + 1, toSeq: null, publicKey }];
}
