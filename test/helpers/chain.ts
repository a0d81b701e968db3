// Test-only: builds signed chains with the vector audit key, independent of the log.
import vectors from '../vectors/interop-vectors.json';
import { GENESIS_HASH, computeEntryHash, signEntryHash, type AuditEntry, type HashableEntry, type SignedAuditEntry } from '../../src/index.js';
import { importEd25519PrivateKey } from '../../src/crypto/ed25519.js';

export const AUDIT_KEY = vectors.auditKey;

/** A chain position: the last entry's seq and hash (seq 0 and the genesis hash before the first). */
export interface ChainPosition {
  seq: number;
  hash: string;
}

/**
 * Hashes, signs and links `count` entries after `start`, in order — the one way tests build a
 * valid chain by hand. `make` gives the hashable fields of the entry at `seq`.
 */
export async function sealChain(
  privateKey: CryptoKey,
  count: number,
  start: ChainPosition,
  make: (seq: number, prevHash: string, i: number) => HashableEntry,
): Promise<SignedAuditEntry[]> {
  const out: SignedAuditEntry[] = [];
  let prev = start;
  for (let i = 0; i < count; i++) {
    const seq = prev.seq + 1;
    const base = make(seq, prev.hash, i);
    const hash = await computeEntryHash(base);
    out.push({ ...base, hash, signature: await signEntryHash(privateKey, hash) });
    prev = { seq, hash };
  }
  return out;
}

export async function buildChain(count: number, start: ChainPosition = { seq: 0, hash: GENESIS_HASH }): Promise<SignedAuditEntry[]> {
  return sealChain(await importEd25519PrivateKey(AUDIT_KEY.privateKey), count, start, (seq, prevHash, i) => ({
    seq,
    timestamp: new Date(Date.UTC(2026, 10, 22, 10, 0, seq)).toISOString(),
    action: i % 3 === 0 ? 'sensor.read' : 'thermostat.set',
    agentDID: 'did:key:z6MkAgent',
    grantId: 'grnt_01HX',
    scopes: ['sensor:read'],
    result: i % 5 === 4 ? 'scope_violation' : 'success',
    ...(i % 2 === 0 ? { metadata: { i, note: `entry ${seq}` } } : {}),
    prevHash,
  }));
}

/** What an agent appends for its i-th tool call (metadata `{ i }` unless overridden). */
export function sampleEntry(i = 0, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    action: `tool.call.${i}`,
    agentDID: 'did:key:z6MkAgent',
    grantId: 'grnt_01HX',
    scopes: ['sensor:read'],
    result: 'success',
    metadata: { i },
    ...extra,
  };
}
