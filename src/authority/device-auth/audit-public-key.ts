import { derToPem } from '../../crypto/pem.js';
import { importEd25519PublicKey } from '../../crypto/ed25519.js';
import { subtle } from '../../crypto/subtle.js';
import { badRequest } from '../api-error.js';
import { OfflineConsentError } from '../../errors.js';

/**
 * The device's Ed25519 public key from a request body, re-encoded as canonical SPKI PEM (so
 * the same key always compares equal), or 400 `INVALID_AUDIT_KEY`.
 */
export async function readAuditPublicKey(value: unknown): Promise<string> {
  if (typeof value !== 'string' || value.length > 1024 || !value.includes('-----BEGIN PUBLIC KEY-----')) {
    throw badRequest('auditPublicKey must be the Ed25519 public key as SPKI PEM', 'INVALID_AUDIT_KEY');
  }
  try {
    const key = await importEd25519PublicKey(value);
    return derToPem(new Uint8Array(await subtle().exportKey('spki', key)), 'PUBLIC KEY');
  } catch (error) {
    // The library's own reason (a bad encoding, a point of small order) goes to the caller as it is: it names no secret.
    const why = error instanceof OfflineConsentError ? ` (${error.message})` : '';
    throw badRequest(`auditPublicKey is not a usable Ed25519 public key as SPKI PEM${why}`, 'INVALID_AUDIT_KEY');
  }
}
