import { randomBytes, toHex } from '../crypto/index.js';

/** A random, URL-safe identifier with a type prefix (`cb_…`, `ag_…`): 96 bits, not guessable. */
export function newId(prefix: string): string {
  return `${prefix}_${toHex(randomBytes(12))}`;
}
