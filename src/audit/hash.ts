import { sha256Hex } from '../crypto/sha256.js';
import type { HashableEntry } from './types.js';

/** `prevHash` of the first entry of every chain: 16 zeros (the TypeScript SDK's form). */
export const GENESIS_HASH = '0000000000000000';

/** The exact string PROTOCOL.md §3 hashes; metadata is stringified as it stands. */
export function entryHashInput(entry: HashableEntry): string {
  const metadata = entry.metadata !== undefined ? JSON.stringify(entry.metadata) : '';
  return [
    String(entry.seq),
    entry.timestamp,
    entry.action,
    entry.agentDID,
    entry.grantId,
    entry.scopes.join(','),
    entry.result,
    metadata,
    entry.prevHash,
  ].join('|');
}

/** Lowercase hex SHA-256 of the entry's hash input. */
export function computeEntryHash(entry: HashableEntry): Promise<string> {
  return sha256Hex(entryHashInput(entry));
}
