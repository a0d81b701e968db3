// Test-only: builds signed chains with the vector audit key, independent of the log.
import vectors from '../vectors/interop-vectors.json';
import { GENESIS_HASH, computeEntryHash, signEntryHash, type AuditEntry, type SignedAuditEntry } from '../../src/index.js';
import { importEd25519PrivateKey } from '../../src/crypto/ed25519.js';

export const AUDIT_KEY = vectors.auditKey;

export async function buildChain(count: number, start: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }): Promise<SignedAuditEntry[]> {
  const key = await importEd25519PrivateKey(AUDIT_KEY.privateKey);
  const out: SignedAuditEntry[] = [];
  let prev = start;
  for (let i = 0; i < count; i++) {
    const seq = prev.seq + 1;
    const base = {
      seq,
      timestamp: new Date(Date.UTC(2026, 10, 22, 10, 0, seq)).toISOString(),
      action: i % 3 === 0 ? 'sensor.read' : 'thermostat.set',
      agentDID: 'did:key:z6MkAgent',
      grantId: 'grnt_01HX',
      scopes: ['sensor:read'],
      result: i % 5 === 4 ? 'scope_violation' : 'success',
      ...(i % 2 === 0 ? { metadata: { i, note: `entry ${seq}` } } : {}),
      prevHash: prev.hash,
    };
    const hash = await computeEntryHash(base);
    const entry = { ...base, hash, signature: await signEntryHash(key, hash) };
    out.push(entry);
    prev = { seq, hash };
  }
  return out;
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
