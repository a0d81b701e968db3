import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import { sha256 } from '../../crypto/sha256.js';
import { toBase64Url } from '../../crypto/base64.js';
import { AuthorityApiError } from '../api-error.js';

/** The request header a device call carries instead of an API key (PROTOCOL.md §8). */
export const DEVICE_PROOF_HEADER = 'OC-Device-Proof';
/** How far a proof's `iat` may be from the authority's clock. */
export const PROOF_WINDOW_S = 60;
const PROOF_TYP = 'oc-device-proof+jwt';
const MAX_PROOF_CHARS = 4096;

/** The claims of a device proof, as checked. */
export interface DeviceProofClaims {
  bid: string;
  htm: string;
  htu: string;
  iat: number;
  jti: string;
  bh: string;
  head?: { seq: number; hash: string };
}

/** Why a proof was refused; the answer is 401 `INVALID_DEVICE_PROOF` with this `reason`. */
export type ProofFailure = 'malformed' | 'header' | 'claims' | 'unknown-bundle' | 'signature' | 'method' | 'url' | 'stale' | 'body' | 'replayed';

/** 401 `INVALID_DEVICE_PROOF`, naming the check that failed. */
export function invalidProof(reason: ProofFailure, message: string): AuthorityApiError {
  return new AuthorityApiError(401, 'INVALID_DEVICE_PROOF', message, { details: { reason } });
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max;
const HASH_OR_GENESIS = /^(?:[0-9a-f]{64}|0{16})$/;

function readHead(value: unknown): { seq: number; hash: string } | undefined | null {
  if (value === undefined) return undefined;
  if (!isObject(value) || !Number.isSafeInteger(value.seq) || (value.seq as number) < 0 || typeof value.hash !== 'string' || !HASH_OR_GENESIS.test(value.hash)) return null;
  return { seq: value.seq as number, hash: value.hash };
}

/**
 * Reads a proof without trusting it: the exact header and well-typed claims, so the caller
 * can find the bundle (and its key) that `bid` names. Nothing here is verified yet.
 */
export function parseDeviceProof(proof: string): DeviceProofClaims {
  if (!isText(proof, 1, MAX_PROOF_CHARS) || proof.split('.').length !== 3) throw invalidProof('malformed', 'The device proof is not a compact JWS');
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(proof) as Record<string, unknown>;
    claims = decodeJwt(proof) as Record<string, unknown>;
  } catch {
    throw invalidProof('malformed', 'The device proof does not decode');
  }
  const keys = Object.keys(header).sort();
  if (keys.length !== 2 || keys[0] !== 'alg' || keys[1] !== 'typ' || header.alg !== 'EdDSA' || header.typ !== PROOF_TYP) {
    throw invalidProof('header', `The device proof header must be exactly {"alg":"EdDSA","typ":"${PROOF_TYP}"}`);
  }
  const head = readHead(claims.head);
  if (
    !isText(claims.bid, 1, 256) || !isText(claims.htm, 1, 16) || !isText(claims.htu, 1, 2048) || !Number.isSafeInteger(claims.iat) ||
    !isText(claims.jti, 16, 128) || !isText(claims.bh, 43, 43) || head === null
  ) {
    throw invalidProof('claims', 'The device proof needs bid, htm, htu, iat (integer), jti (16–128 chars), bh and a well-formed head');
  }
  return { bid: claims.bid, htm: claims.htm, htu: claims.htu, iat: claims.iat as number, jti: claims.jti, bh: claims.bh, ...(head ? { head } : {}) };
}

/** What the request must match. */
export interface ProofRequest {
  method: string;
  /** The URL as the authority spells it (public URL + path), without query. */
  url: string;
  body: Uint8Array<ArrayBuffer>;
  nowMs: number;
}

/**
 * Checks a parsed proof against the bundle's key and this request: signature, method, URL,
 * time window and body hash. The `jti` replay check is the caller's (it needs the database).
 */
export async function checkDeviceProof(proof: string, claims: DeviceProofClaims, key: CryptoKey, request: ProofRequest): Promise<void> {
  try {
    await compactVerify(proof, key, { algorithms: ['EdDSA'] });
  } catch {
    throw invalidProof('signature', "The device proof's signature does not verify with the bundle's audit key");
  }
  if (claims.htm !== request.method.toUpperCase()) throw invalidProof('method', `The device proof is for ${claims.htm}, not ${request.method}`);
  if (claims.htu !== request.url) throw invalidProof('url', `The device proof is for ${claims.htu}, not ${request.url}`);
  if (Math.abs(request.nowMs / 1000 - claims.iat) > PROOF_WINDOW_S) throw invalidProof('stale', `The device proof's iat is more than ${PROOF_WINDOW_S} s from the authority's clock`);
  if (toBase64Url(await sha256(request.body)) !== claims.bh) throw invalidProof('body', 'The device proof was made for another body');
}
