import { importEd25519PublicKey } from '../../crypto/ed25519.js';
import type { Queryable } from '../db/types.js';

/** One audit key a bundle was given, as stored. */
export interface AuditKeyRow {
  version: number;
  publicKey: string;
  /** First seq it signs; null for a key an API-key refresh issued that has signed nothing yet. */
  fromSeq: number | null;
  /** The device refresh answer that made it (repeated to a retry), or null. */
  issued: string | null;
}

/** A key's seq range as the API lists it (PROTOCOL.md §9); `toSeq` null for the open span. */
export interface KeySpanJson {
  fromSeq: number;
  toSeq: number | null;
  publicKey: string;
}

/** Which key checks an entry: exactly one, or for the open span of a legacy bundle, the open key then its unused successors. */
export interface KeyChoice {
  versions: number[];
  /** The span the entry falls in, for messages. */
  span: { version: number; fromSeq: number; toSeq: number | null };
}

/** Every audit key of a bundle, oldest first. */
export async function loadAuditKeys(db: Queryable, bundleId: string): Promise<AuditKeyRow[]> {
  const rows = await db.query<{ version: number; public_key: string; from_seq: string | number | null; issued: string | null }>(
    'SELECT version, public_key, from_seq, issued FROM bundle_audit_keys WHERE bundle_id = $1 ORDER BY version',
    [bundleId],
  );
  return rows.map((r) => ({ version: Number(r.version), publicKey: r.public_key, fromSeq: r.from_seq === null ? null : Number(r.from_seq), issued: r.issued }));
}

/**
 * A bundle's keys as spans: started keys (with `fromSeq`) own `[fromSeq, next start - 1]`;
 * keys issued after the last started one and not used yet are its possible successors
 * (legacy refreshes only); unused keys older than a started one can never sign.
 */
export class KeySpans {
  readonly started: AuditKeyRow[];
  readonly pending: AuditKeyRow[];
  private readonly imported = new Map<number, Promise<CryptoKey>>();

  constructor(readonly keys: readonly AuditKeyRow[]) {
    this.started = keys.filter((k) => k.fromSeq !== null);
    const lastStarted = this.started[this.started.length - 1]?.version ?? 0;
    this.pending = keys.filter((k) => k.fromSeq === null && k.version > lastStarted);
  }

  /** The newest key: the one the device holds now and signs its proofs with. */
  get current(): AuditKeyRow {
    return this.keys[this.keys.length - 1]!;
  }

  /** The started key whose span holds `seq`. */
  spanOf(seq: number): { key: AuditKeyRow; toSeq: number | null } {
    let index = 0;
    for (let i = 0; i < this.started.length; i++) if (this.started[i]!.fromSeq! <= seq) index = i;
    const next = this.started[index + 1];
    return { key: this.started[index]!, toSeq: next ? next.fromSeq! - 1 : null };
  }

  /** The key(s) to check an entry of this seq with, in order. */
  choose(seq: number): KeyChoice {
    const { key, toSeq } = this.spanOf(seq);
    const span = { version: key.version, fromSeq: key.fromSeq!, toSeq };
    if (toSeq !== null) return { versions: [key.version], span };
    // Newest first: a legacy device signs with the last key it was sent.
    return { versions: [key.version, ...this.pending.map((k) => k.version).reverse()], span };
  }

  /** The imported public key of a version (imported once). */
  key(version: number): Promise<CryptoKey> {
    let key = this.imported.get(version);
    if (!key) {
      const row = this.keys.find((k) => k.version === version);
      if (!row) throw new Error(`No audit key version ${version}`);
      key = importEd25519PublicKey(row.publicKey);
      this.imported.set(version, key);
    }
    return key;
  }

  /** The spans as the API lists them. */
  toJson(): KeySpanJson[] {
    return this.started.map((k, i) => {
      const next = this.started[i + 1];
      return { fromSeq: k.fromSeq!, toSeq: next ? next.fromSeq! - 1 : null, publicKey: k.publicKey };
    });
  }
}
