import { derToPem } from '../../crypto/pem.js';
import { importEd25519PublicKey } from '../../crypto/ed25519.js';
import { subtle } from '../../crypto/subtle.js';
import { badRequest } from '../api-error.js';

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
    const why = /small order/.test((error as Error).message) ? ': it is a point of small order, under which signatures prove nothing' : '';
    throw badRequest(`auditPublicKey is not a usable Ed25519 public key (SPKI PEM)${why}`, 'INVALID_AUDIT_KEY');
  }
}
