import { fromBase64Url } from '../crypto/base64.js';
import type { Bytes } from '../crypto/bytes.js';
import { subtle } from '../crypto/subtle.js';
import { utf8Decode, utf8Encode } from '../crypto/utf8.js';

const RSASSA = 'RSASSA-PKCS1-v1_5';

/**
 * Checks the RS256 signature of a compact JWS whose header was already parsed and vetted,
 * and returns the decoded payload JSON. Straight to Web Crypto: this is the one algorithm
 * accepted, and the hot loop of a device re-verifying grants. Throws on any defect.
 */
export async function verifyRs256Compact(token: string, key: CryptoKey): Promise<unknown> {
  const firstDot = token.indexOf('.');
  const lastDot = token.lastIndexOf('.');
  const signature: Bytes = fromBase64Url(token.slice(lastDot + 1));
  // The signing input is the ASCII of "header.payload"; base64url text is ASCII by construction.
  const signingInput = utf8Encode(token.slice(0, lastDot));
  if (!(await subtle().verify(RSASSA, key, signature, signingInput))) throw new Error('RS256 signature does not verify');
  return JSON.parse(utf8Decode(fromBase64Url(token.slice(firstDot + 1, lastDot))));
}
