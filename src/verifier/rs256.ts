import { fromBase64Url } from '../crypto/base64.js';
import type { Bytes } from '../crypto/bytes.js';
import { subtle } from '../crypto/subtle.js';
import { utf8Decode, utf8Encode } from '../crypto/utf8.js';

const RSASSA = 'RSASSA-PKCS1-v1_5';

/**
 * Checks the RS256 signature of a compact JWS (segments ending at `firstDot` and `lastDot`)
 * whose header was already parsed and vetted,
 * and returns its payload as `parse` reads it. Straight to Web Crypto: this is the one algorithm
 * accepted, and the hot loop of a device re-verifying grants. Throws on any defect.
 */
export async function verifyRs256Compact<T>(token: string, firstDot: number, lastDot: number, key: CryptoKey, parse: (payload: unknown) => T): Promise<T> {
  const signature: Bytes = fromBase64Url(token.slice(lastDot + 1));
  // The signing input is the ASCII of "header.payload"; base64url text is ASCII by construction.
  const verified = subtle().verify(RSASSA, key, signature, utf8Encode(token.slice(0, lastDot)));
  // Decode the claims while the signature check runs off the main thread; nothing decoded is
  // returned, and no claim error is reported, unless the signature holds.
  let claims: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    claims = { ok: true, value: parse(JSON.parse(utf8Decode(fromBase64Url(token.slice(firstDot + 1, lastDot))))) };
  } catch (error) {
    claims = { ok: false, error };
  }
  if (!(await verified)) throw new Error('RS256 signature does not verify');
  if (!claims.ok) throw claims.error;
  return claims.value;
}
