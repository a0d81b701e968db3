import { isJsonObject } from '../crypto/utf8.js';
import { OfflineVerificationError } from '../errors.js';
import { LIMITS_CLAIM, readLimits, type GrantLimit } from './limits.js';

/** The grant claims this library relies on, validated for type once per token. */
export interface GrantClaims {
  /** `sub`, or `''` when absent (as upstream). */
  readonly sub: string;
  readonly agt: string;
  /** `scp`, or `[]` when absent or not an array (as upstream). */
  readonly scp: readonly string[];
  /** `jti`, or `''` when absent (as upstream); `grnt` then carries the grant id. */
  readonly jti: string;
  readonly grnt: string;
  readonly exp: number;
  readonly iat: number | undefined;
  readonly nbf: number | undefined;
  readonly iss: string | undefined;
  readonly dev: string | undefined;
  readonly delegationDepth: number;
  /** The `limits` claim: kinds and scopes checked ([] when absent). */
  readonly limits: readonly GrantLimit[];
}

/**
 * A signed payload read once: the time claims (checked first, as upstream does) and the
 * verdict on the other claims, reported only after the expiry, `iat` and `nbf` checks
 * (`'claims'` holds either the claims or why they are refused).
 */
export interface ParsedGrantToken {
  readonly exp: number;
  readonly iat: number | undefined;
  readonly nbf: number | undefined;
  /** The raw `iss`, for the `issuer` option (compared after the time checks). */
  readonly iss: unknown;
  readonly claims: GrantClaims | { readonly invalid: string };
}

/** Thrown inside this module only (a plain string), caught by `parseGrantClaims`. */
function invalid(name: string, expected: string): never {
  throw `Claim "${name}" must be ${expected}`;
}

function optionalString(payload: Record<string, unknown>, name: string): string | undefined {
  const v = payload[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') invalid(name, 'a string');
  return v;
}

/** Seconds either side of 1970 a JavaScript Date can hold (±8.64e15 ms); beyond it no expiry can be reported. */
const MAX_NUMERIC_DATE = 8.64e12;

/** A time claim in the wrong format is `VERIFICATION_FAILED`, as jose (and so upstream) reports it. */
function timeClaim(payload: Record<string, unknown>, name: 'exp' | 'iat' | 'nbf'): number | undefined {
  const v = payload[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(Math.abs(v) <= MAX_NUMERIC_DATE)) {
    throw new OfflineVerificationError(`"${name}" claim must be a NumericDate`, 'VERIFICATION_FAILED');
  }
  return v;
}

/**
 * The claims that are not about time. Optional as upstream where nothing depends on them
 * (`sub`, `jti`, `scp`); a present claim of the wrong type, and a missing `agt` or grant id
 * (`grnt`, else `jti`), which the guard needs to attribute audit entries, are refused.
 */
function shapeClaims(p: Record<string, unknown>, exp: number, iat: number | undefined, nbf: number | undefined): GrantClaims {
  const rawScp = p['scp'];
  const scp = Array.isArray(rawScp) ? rawScp : [];
  if (!scp.every((s) => typeof s === 'string')) invalid('scp', 'an array of strings');
  const depth = p['delegationDepth'] ?? 0;
  if (typeof depth !== 'number' || !Number.isSafeInteger(depth) || depth < 0) {
    invalid('delegationDepth', 'a non-negative integer');
  }
  const sub = optionalString(p, 'sub') ?? '';
  const jti = optionalString(p, 'jti') ?? '';
  const grnt = optionalString(p, 'grnt');
  const grantId = grnt === undefined || grnt === '' ? jti : grnt;
  const agt = p['agt'];
  if (typeof agt !== 'string' || agt.length === 0) invalid('agt', 'a non-empty string');
  if (grantId === '') invalid('grnt', 'a non-empty string (or "jti")');
  return Object.freeze({
    sub,
    agt,
    scp: Object.freeze([...(scp as string[])]),
    jti,
    grnt: grantId,
    exp,
    iat,
    nbf,
    iss: optionalString(p, 'iss'),
    dev: optionalString(p, 'dev'),
    delegationDepth: depth,
    limits: readLimits(p[LIMITS_CLAIM], scp as string[]),
  });
}

/**
 * Reads a verified payload (no time checks here). Throws `VERIFICATION_FAILED` at once for a
 * payload that is not an object or a time claim that is missing (`exp`) or not a NumericDate;
 * any other claim defect is kept in `claims` for after the time checks.
 */
export function parseGrantClaims(payload: unknown): ParsedGrantToken {
  if (!isJsonObject(payload)) throw new OfflineVerificationError('Token payload is not a JSON object', 'VERIFICATION_FAILED');
  const p = payload;
  const iat = timeClaim(p, 'iat');
  const nbf = timeClaim(p, 'nbf');
  const exp = timeClaim(p, 'exp');
  // Upstream reads a missing exp as 1970; a grant that never expires is refused here instead.
  if (exp === undefined) throw new OfflineVerificationError('Token has no "exp" claim', 'VERIFICATION_FAILED');
  let claims: ParsedGrantToken['claims'];
  try {
    claims = shapeClaims(p, exp, iat, nbf);
  } catch (error) {
    if (typeof error !== 'string') throw error;
    claims = Object.freeze({ invalid: error });
  }
  return Object.freeze({ exp, iat, nbf, iss: p['iss'], claims });
}
