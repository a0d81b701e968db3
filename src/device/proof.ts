import type { HeadersFor } from '../sync/post.js';
import { ed25519Sign, importEd25519PrivateKey } from '../crypto/ed25519.js';
import { randomBytes } from '../crypto/subtle.js';
import { toBase64Url } from '../crypto/base64.js';
import { sha256 } from '../crypto/sha256.js';
import { utf8Encode } from '../crypto/utf8.js';

/** The HTTP header a device call carries its proof in (PROTOCOL.md §8). */
export const DEVICE_PROOF_HEADER = 'OC-Device-Proof';

/** The device log's head as a proof states it: `{seq: 0, hash: '0000000000000000'}` for an empty log. */
export interface ProofHead {
  /** Sequence number of the last entry (0: empty). */
  seq: number;
  /** Hash of the last entry (the genesis hash: empty). */
  hash: string;
}

/** What one device proof binds: the bundle, the request (method, URL, body) and optionally the log head. */
export interface DeviceProofOptions {
  /** The bundle's audit private key: PKCS#8 PEM or an Ed25519 `CryptoKey`. */
  privateKey: string | CryptoKey;
  /** The bundle the call is about (claim `bid`). */
  bundleId: string;
  /** The HTTP method (claim `htm`, upper-cased). */
  method: string;
  /** The request URL; query and fragment are left out of `htu`. */
  url: string;
  /** The exact body string sent (none: the hash of the empty string). */
  body?: string;
  /** The device log's head; required by the authority on sync and refresh. */
  head?: ProofHead;
  /** Clock, Unix ms (default `Date.now`). */
  now?: () => number;
}

/** The request URL as `htu` states it: no query, no fragment. */
export function proofTarget(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

// The one header a proof has; fixed text, so it is encoded once.
const PROTECTED_HEADER = toBase64Url(utf8Encode('{"alg":"EdDSA","typ":"oc-device-proof+jwt"}'));

/**
 * Signs a device proof (PROTOCOL.md §8): a compact JWS (RFC 7515) over Ed25519, header exactly
 * `{alg: 'EdDSA', typ: 'oc-device-proof+jwt'}`, claims `bid, htm, htu, iat, jti, bh` and
 * `head` when given. Make a fresh one for every attempt: the authority refuses a seen `jti`.
 */
export async function createDeviceProof(options: DeviceProofOptions): Promise<string> {
  const { privateKey, bundleId, method, url, body = '', head, now = Date.now } = options;
  if (typeof bundleId !== 'string' || bundleId.length === 0) throw new TypeError('bundleId is required');
  const key = await importEd25519PrivateKey(privateKey);
  const claims = {
    bid: bundleId,
    htm: method.toUpperCase(),
    htu: proofTarget(url),
    iat: Math.floor(now() / 1000),
    jti: toBase64Url(randomBytes(16)),
    bh: toBase64Url(await sha256(body)),
    ...(head ? { head: { seq: head.seq, hash: head.hash } } : {}),
  };
  // Built here rather than with jose's CompactSign, which alone would add 2.4 KB gzipped to a
  // device app (over its 20 KB budget); the authority and the tests check proofs with jose.
  const signingInput = `${PROTECTED_HEADER}.${toBase64Url(utf8Encode(JSON.stringify(claims)))}`;
  return `${signingInput}.${toBase64Url(await ed25519Sign(key, utf8Encode(signingInput)))}`;
}

/**
 * The bundle fields a device call needs: its id and its current audit private key.
 *
 * @property bundleId - The bundle's id (claim `bid` of each proof).
 * @property offlineAuditKey - The bundle's audit key; only its private half (PKCS#8 PEM or an Ed25519 `CryptoKey`) is read.
 */
export type DeviceCredential = { bundleId: string; offlineAuditKey: { privateKey: string | CryptoKey } };

/**
 * Per-attempt `OC-Device-Proof` headers for `bundle`, signed with its current audit key
 * (imported once); `head`, when given, is read at every attempt.
 */
export function deviceProofHeaders(bundle: DeviceCredential, head?: () => ProofHead | Promise<ProofHead>): HeadersFor {
  const key = importEd25519PrivateKey(bundle.offlineAuditKey.privateKey);
  key.catch(() => {}); // surfaced by the first attempt
  return async ({ method, url, body }) => ({
    [DEVICE_PROOF_HEADER]: await createDeviceProof({
      privateKey: await key,
      bundleId: bundle.bundleId,
      method,
      url,
      ...(body === undefined ? {} : { body }),
      ...(head ? { head: await head() } : {}),
    }),
  });
}
