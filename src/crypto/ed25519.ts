import { OfflineConsentError } from '../errors.js';
import type { Bytes } from './bytes.js';
import { derToPem, pemToDer } from './pem.js';
import { isSmallOrderKey } from './small-order.js';
import { isCryptoKey, subtle, unsupported } from './subtle.js';

/** An Ed25519 key as PEM text, a JWK, or an already imported `CryptoKey`. */
export type Ed25519KeyInput = string | JsonWebKey | CryptoKey;

const ED25519 = { name: 'Ed25519' } as const;

function checkKey(key: CryptoKey, type: KeyType): CryptoKey {
  if (key.algorithm.name !== 'Ed25519' || key.type !== type) {
    throw new OfflineConsentError(`Expected an Ed25519 ${type} key, got ${key.algorithm.name} ${key.type}`, 'INVALID_KEY');
  }
  return key;
}

async function importKey(input: Ed25519KeyInput, type: 'public' | 'private', extractable: boolean): Promise<CryptoKey> {
  if (isCryptoKey(input)) return checkKey(input, type);
  const usage: KeyUsage[] = type === 'public' ? ['verify'] : ['sign'];
  try {
    if (typeof input === 'string') {
      const der = pemToDer(input, type === 'public' ? 'PUBLIC KEY' : 'PRIVATE KEY');
      return await subtle().importKey(type === 'public' ? 'spki' : 'pkcs8', der, ED25519, extractable, usage);
    }
    if (input && typeof input === 'object') {
      return await subtle().importKey('jwk', input, ED25519, extractable, usage);
    }
  } catch (cause) {
    throw unsupported(cause) ?? new OfflineConsentError(`Invalid Ed25519 ${type} key`, 'INVALID_KEY', { cause });
  }
  throw new OfflineConsentError(`Invalid Ed25519 ${type} key: expected PEM text, a JWK or a CryptoKey`, 'INVALID_KEY');
}

/** Imports an Ed25519 public key for signature checks. */
export async function importEd25519PublicKey(input: Ed25519KeyInput): Promise<CryptoKey> {
  const key = await importKey(input, 'public', true);
  // A public key is always extractable in Web Crypto, so every form (PEM, JWK, CryptoKey) is checked.
  if (isSmallOrderKey(new Uint8Array(await subtle().exportKey('raw', key)))) throw new OfflineConsentError('Invalid Ed25519 public key: small order', 'INVALID_KEY');
  return key;
}

/** Imports an Ed25519 private key for signing; non-extractable unless asked. */
export function importEd25519PrivateKey(input: Ed25519KeyInput, { extractable = false } = {}): Promise<CryptoKey> {
  return importKey(input, 'private', extractable);
}

/** Ed25519 signature (64 bytes) over the data. */
export async function ed25519Sign(key: CryptoKey, data: Bytes): Promise<Bytes> {
  return new Uint8Array(await subtle().sign(ED25519, key, data));
}

/** Whether `signature` is a valid Ed25519 signature over `data`. */
export function ed25519Verify(key: CryptoKey, signature: Bytes, data: Bytes): Promise<boolean> {
  return subtle().verify(ED25519, key, signature, data);
}

/** A public key as SPKI PEM (Web Crypto public keys are always extractable). */
export async function exportEd25519PublicKeyPem(key: CryptoKey): Promise<string> {
  return derToPem(new Uint8Array(await subtle().exportKey('spki', key)), 'PUBLIC KEY');
}

// WebKit fails about one Ed25519 generateKey in a hundred with an OperationError; a new try succeeds.
const generatePair = (extractable: boolean, tries = 4): Promise<CryptoKeyPair> =>
  (subtle().generateKey(ED25519, extractable, ['sign', 'verify']) as Promise<CryptoKeyPair>).catch((cause: Error) =>
    tries > 1 && cause?.name === 'OperationError' ? generatePair(extractable, tries - 1) : Promise.reject(unsupported(cause) ?? cause),
  );

/**
 * A fresh Ed25519 key pair: SPKI PEM public half; the private half as PKCS#8 PEM, or, with
 * `extractable: false`, a `CryptoKey` no script can read out.
 */
export async function generateAuditKeyPair(extractable: boolean): Promise<{ publicKey: string; privateKey: string | CryptoKey; algorithm: 'Ed25519' }> {
  const pair = await generatePair(extractable);
  const privateKey = extractable ? derToPem(new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey)), 'PRIVATE KEY') : pair.privateKey;
  return { publicKey: await exportEd25519PublicKeyPem(pair.publicKey), privateKey, algorithm: 'Ed25519' };
}

/** A fresh Ed25519 key pair as PEM (SPKI public, PKCS#8 private), the bundle's format. */
export async function generateEd25519KeyPair(): Promise<{ publicKey: string; privateKey: string; algorithm: 'Ed25519' }> {
  return (await generateAuditKeyPair(true)) as { publicKey: string; privateKey: string; algorithm: 'Ed25519' };
}
