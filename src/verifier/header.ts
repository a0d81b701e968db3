import { fromBase64Url, isCanonicalBase64Url } from '../crypto/base64.js';
import { parseJsonObject } from '../crypto/utf8.js';
import { OfflineVerificationError } from '../errors.js';
import type { LruCache } from './token-cache.js';

/** Tokens larger than this are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 64 * 1024;
const NON_ASCII = /[^\x00-\x7f]/;

function malformed(message: string): never {
  throw new OfflineVerificationError(message, 'MALFORMED_TOKEN');
}

/** Where the three segments of a compact JWS end, each canonical base64url; throws MALFORMED_TOKEN on anything else. */
export function splitCompact(token: unknown): { firstDot: number; lastDot: number } {
  if (typeof token !== 'string') malformed('Token must be a string');
  if (token.length > MAX_TOKEN_LENGTH) malformed(`Token is longer than ${MAX_TOKEN_LENGTH} characters`);
  // A compact JWS is ASCII; refusing the rest here also makes the limit above one of bytes, not UTF-16 units.
  if (NON_ASCII.test(token)) malformed('Token contains non-ASCII characters');
  const firstDot = token.indexOf('.');
  const lastDot = token.indexOf('.', firstDot + 1);
  if (firstDot < 0 || lastDot < 0 || token.indexOf('.', lastDot + 1) >= 0) malformed('Token is not a compact JWS (three dot-separated parts)');
  // One spelling per token: padding, foreign characters or set unused bits would respell a signed token (cold path only, before any crypto).
  const parts = ['header', 'payload', 'signature'] as const;
  const bounds = [0, firstDot, firstDot + 1, lastDot, lastDot + 1, token.length];
  for (let i = 0; i < 3; i++) {
    if (!isCanonicalBase64Url(token, bounds[2 * i]!, bounds[2 * i + 1]!)) malformed(`Token ${parts[i]} is not canonical base64url (RFC 7515)`);
  }
  return { firstDot, lastDot };
}

/** Vets the protected header ending at `firstDot` (RS256 only, a kid, no extension) and returns its kid. */
function vetHeader(token: string, firstDot: number): string {
  let header;
  try {
    // splitCompact found three canonical segments, so this reads what jose's decodeProtectedHeader would.
    header = parseJsonObject(fromBase64Url(token.slice(0, firstDot)));
  } catch {
    malformed('Token header is not decodable');
  }
  const alg = header.alg;
  if (typeof alg !== 'string') malformed('Token header has no "alg"');
  if (alg !== 'RS256') {
    throw new OfflineVerificationError(`Blocked algorithm: ${alg} (only RS256 is accepted)`, 'BLOCKED_ALGORITHM');
  }
  const kid = header.kid;
  if (typeof kid !== 'string' || kid.length === 0) {
    throw new OfflineVerificationError('Token header has no "kid"', 'MISSING_KID');
  }
  // No extension is understood here, so any "crit" fails closed (RFC 7515 §4.1.11); "b64" is not allowed in a JWT.
  if (header.crit !== undefined || header.b64 !== undefined) {
    throw new OfflineVerificationError('Token header has crit or b64, which this verifier refuses', 'VERIFICATION_FAILED');
  }
  return kid;
}

/**
 * The kid of a token whose header passes `vetHeader`. A device's tokens come from one issuer
 * key, so the same encoded header repeats: vetted headers are remembered by their exact text.
 */
export function headerKid(token: string, firstDot: number, vetted: LruCache<string, string>): string {
  const segment = token.slice(0, firstDot);
  let kid = vetted.get(segment);
  if (kid === undefined) {
    kid = vetHeader(token, firstDot);
    vetted.set(segment, kid);
  }
  return kid;
}
