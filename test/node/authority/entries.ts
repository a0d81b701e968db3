// Builds signed audit entries for a bundle the authority issued, with the bundle's own audit key.
import { decodeJwt } from 'jose';
import { GENESIS_HASH, type SignedAuditEntry } from '../../../src/index.js';
import { sealChain, type ChainPosition } from '../../helpers/chain.js';
import { importEd25519PrivateKey } from '../../../src/crypto/ed25519.js';
import type { IssuedBundle } from '../../../src/authority/index.js';

export type ChainHead = ChainPosition;

export const GENESIS: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** `count` entries continuing from `start`, as the device holding `bundle` would write them. */
export async function signedEntries(
  bundle: IssuedBundle,
  count: number,
  start: ChainHead = GENESIS,
  shape: (seq: number) => Partial<SignedAuditEntry> = () => ({}),
): Promise<SignedAuditEntry[]> {
  const claims = decodeJwt(bundle.grantToken) as { agt: string; grnt: string; scp: string[] };
  const key = await importEd25519PrivateKey(bundle.offlineAuditKey.privateKey!); // A legacy bundle: the authority made the pair.
  return sealChain(key, count, start, (seq, prevHash) => ({
    seq,
    timestamp: new Date(Date.UTC(2026, 10, 22, 10, 0, 0, seq)).toISOString(),
    action: seq % 3 === 0 ? 'tool:thermostat.set' : 'tool:sensor.read',
    agentDID: claims.agt,
    grantId: claims.grnt,
    scopes: claims.scp,
    result: seq % 7 === 0 ? 'scope_violation' : 'success',
    // Key order on purpose not sorted: the server must store metadata exactly as sent.
    ...(seq % 2 === 0 ? { metadata: { zeta: seq, alpha: { nested: [1, 'two', null] }, note: `entry ${seq} ✓` } } : {}),
    prevHash,
    ...shape(seq),
  }));
}

export const headOf = (entries: SignedAuditEntry[]): ChainHead => ({ seq: entries.at(-1)!.seq, hash: entries.at(-1)!.hash });
