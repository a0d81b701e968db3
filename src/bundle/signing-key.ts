import { importEd25519PrivateKey } from '../crypto/ed25519.js';
import type { ConsentBundle } from './types.js';

/**
 * The bundle's audit private key as an Ed25519 `CryptoKey`, non-extractable by default, so
 * the key can sign but script on the page can never read it out.
 */
export function importAuditSigningKey(bundle: Pick<ConsentBundle, 'offlineAuditKey'>, { extractable = false } = {}): Promise<CryptoKey> {
  return importEd25519PrivateKey(bundle.offlineAuditKey.privateKey, { extractable });
}
