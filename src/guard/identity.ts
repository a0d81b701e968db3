import { fromBase64 } from '../crypto/base64.js';
import { parseJsonObject } from '../crypto/utf8.js';
import { OfflineConsentError } from '../errors.js';
import { LIMITS_CLAIM, readLimits, type GrantLimit } from '../verifier/limits.js';

/** The claims of a compact JWS, unverified, decoded as jose's `decodeJwt` does (padding and whitespace tolerated). */
export function decodeJwt(token: string): Record<string, unknown> {
  const parts = token.split('.');
  const payload = parts[1];
  if (parts.length !== 3 || !payload || /[+/]/.test(payload)) throw new TypeError('Invalid JWT');
  return parseJsonObject(fromBase64(payload.replace(/-/g, '+').replace(/_/g, '/')));
}

/** Who the bundle's token speaks for, read without verification so failures can be attributed. */
export interface GrantIdentity {
  agentDID: string;
  grantId: string;
  scopes: readonly string[];
  /** The token's limits as the verifier reads them; null when it cannot (a custom verifier's grant then gets no call they may cover). */
  limits: readonly GrantLimit[] | null;
}

/** Reads `agt`, `grnt`/`jti` and `scp` from the token; a bundle without them cannot be audited. */
export function readGrantIdentity(token: string): GrantIdentity {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch (cause) {
    throw new OfflineConsentError('The bundle grant token cannot be decoded', 'INVALID_BUNDLE', { cause });
  }
  const grantId = typeof claims.grnt === 'string' && claims.grnt ? claims.grnt : claims.jti;
  const scopes = Array.isArray(claims.scp) ? claims.scp.filter((s): s is string => typeof s === 'string') : [];
  if (typeof claims.agt !== 'string' || !claims.agt || typeof grantId !== 'string' || !grantId) {
    throw new OfflineConsentError('The grant token lacks agt or grnt/jti: actions cannot be audited', 'INVALID_BUNDLE');
  }
  let limits: readonly GrantLimit[] | null = null;
  try {
    limits = readLimits(claims[LIMITS_CLAIM], scopes);
  } catch {}
  return { agentDID: claims.agt, grantId, scopes, limits };
}
