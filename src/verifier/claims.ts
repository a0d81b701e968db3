import { OfflineVerificationError } from '../errors.js';

/** The grant claims this library relies on, validated for type once per token. */
export interface GrantClaims {
  readonly sub: string;
  readonly agt: string;
  readonly scp: readonly string[];
  readonly jti: string;
  readonly grnt: string;
  readonly exp: number;
  readonly iat: number | undefined;
  readonly nbf: number | undefined;
  readonly iss: string | undefined;
  readonly dev: string | undefined;
  readonly delegationDepth: number;
}

function invalid(name: string, expected: string): never {
  throw new OfflineVerificationError(`Claim "${name}" must be ${expected}`, 'INVALID_CLAIM');
}

function requiredString(payload: Record<string, unknown>, name: string): string {
  const v = payload[name];
  if (typeof v !== 'string' || v.length === 0) invalid(name, 'a non-empty string');
  return v;
}

function optionalString(payload: Record<string, unknown>, name: string): string | undefined {
  const v = payload[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') invalid(name, 'a string');
  return v;
}

/** Seconds either side of 1970 a JavaScript Date can hold (±8.64e15 ms); beyond it no expiry can be reported. */
const MAX_NUMERIC_DATE = 8.64e12;

function optionalNumericDate(payload: Record<string, unknown>, name: string): number | undefined {
  const v = payload[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(Math.abs(v) <= MAX_NUMERIC_DATE)) invalid(name, 'a NumericDate (seconds within the range of a Date)');
  return v;
}

/** Validates claim presence and types of a verified payload (no time checks here). */
export function parseGrantClaims(payload: unknown): GrantClaims {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new OfflineVerificationError('Token payload is not a JSON object', 'VERIFICATION_FAILED');
  }
  const p = payload as Record<string, unknown>;
  const exp = optionalNumericDate(p, 'exp');
  if (exp === undefined) invalid('exp', 'present (tokens without an expiry are refused)');
  const scp = p['scp'];
  if (!Array.isArray(scp) || !scp.every((s) => typeof s === 'string')) invalid('scp', 'an array of strings');
  const depth = p['delegationDepth'] ?? 0;
  if (typeof depth !== 'number' || !Number.isSafeInteger(depth) || depth < 0) {
    invalid('delegationDepth', 'a non-negative integer');
  }
  const jti = requiredString(p, 'jti');
  const grnt = optionalString(p, 'grnt');
  return Object.freeze({
    sub: requiredString(p, 'sub'),
    agt: requiredString(p, 'agt'),
    scp: Object.freeze([...(scp as string[])]),
    jti,
    grnt: grnt === undefined || grnt === '' ? jti : grnt,
    exp,
    iat: optionalNumericDate(p, 'iat'),
    nbf: optionalNumericDate(p, 'nbf'),
    iss: optionalString(p, 'iss'),
    dev: optionalString(p, 'dev'),
    delegationDepth: depth,
  });
}
