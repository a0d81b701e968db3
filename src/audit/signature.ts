import { ed25519Sign, ed25519Verify, importEd25519PublicKey, type Ed25519KeyInput } from '../crypto/ed25519.js';
import { fromHex, toHex } from '../crypto/hex.js';
import { utf8Encode } from '../crypto/utf8.js';
import type { SignedAuditEntry } from './types.js';

const SIGNATURE_HEX = /^[0-9a-f]{128}$/;

/** Ed25519 signature, as 128 lowercase hex characters, over the UTF-8 bytes of `text` (an entry's hex hash, a mark's body). */
export async function signText(privateKey: CryptoKey, text: string): Promise<string> {
  return toHex(await ed25519Sign(privateKey, utf8Encode(text)));
}

/** Ed25519 signature, as 128 lowercase hex characters, over the UTF-8 bytes of the hex hash. */
export function signEntryHash(privateKey: CryptoKey, hash: string): Promise<string> {
  return signText(privateKey, hash);
}

/** Checks a `signText` signature of `text` against an already imported public key; false for any malformed signature. */
export async function verifySignedText(publicKey: CryptoKey, text: string, signature: unknown): Promise<boolean> {
  if (typeof signature !== 'string' || !SIGNATURE_HEX.test(signature) || typeof text !== 'string') return false;
  return ed25519Verify(publicKey, fromHex(signature), utf8Encode(text));
}

/**
 * Whether the entry's signature is valid for its `hash` under `publicKey` (PEM, JWK or
 * CryptoKey). It does not recompute the hash: `verifyChain` does both. A key that cannot be
 * imported as an Ed25519 public key verifies nothing: `false`, as upstream answers, not a rejection.
 */
export async function verifyEntrySignature(entry: Pick<SignedAuditEntry, 'hash' | 'signature'>, publicKey: Ed25519KeyInput): Promise<boolean> {
  let key: CryptoKey;
  try {
    key = await importEd25519PublicKey(publicKey);
  } catch {
    return false;
  }
  return verifySignedText(key, entry?.hash, entry?.signature);
}
