import { AuthorityApiError } from '../api-error.js';
import { parseLimits, type GrantLimit } from '../../verifier/limits.js';

/** The most limits one grant may carry. */
export const MAX_LIMITS = 32;

/**
 * The optional `limits` field of an issuance body (`POST /v1/consent-bundles`,
 * `POST /v1/enrollments`), read exactly as a device will read the claim (`parseLimits`):
 * absent or null is none; a defect is 400 `INVALID_LIMITS` with the parser's words.
 */
export function limitsField(value: unknown, scopes: readonly string[]): readonly GrantLimit[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.length > MAX_LIMITS) throw invalidLimits(`limits may hold at most ${MAX_LIMITS} limits; got ${value.length}`);
  try {
    return parseLimits(value, scopes);
  } catch (reason) {
    throw invalidLimits(reason instanceof Error ? reason.message : String(reason));
  }
}

const invalidLimits = (message: string) => new AuthorityApiError(400, 'INVALID_LIMITS', message);
