import { OfflineVerificationError, TokenExpiredError } from '../errors.js';
import { parseGrantClaims, type GrantClaims } from './claims.js';
import { enforceScopes } from './scopes.js';
import { importKeyByKid, isSnapshotExpired, type JWKSSnapshot } from './snapshot.js';
import { LruCache } from './token-cache.js';
import { verifyRs256Compact } from './rs256.js';
import { validateVerifierOptions } from './options.js';
import { headerKid, splitCompact } from './header.js';

export { MAX_TOKEN_LENGTH } from './header.js';

/** Where warnings go when `onScopeViolation` is `'log'`. */
export interface Logger {
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface OfflineVerifierOptions {
  /** Issuer public keys fetched while online. */
  jwksSnapshot: JWKSSnapshot;
  /** Tolerance for `exp` and `iat`, in seconds (default 30). */
  clockSkewSeconds?: number;
  /** Scopes every token must grant. */
  requireScopes?: string[];
  /** Highest `delegationDepth` accepted (inclusive). */
  maxDelegationDepth?: number;
  /** `'throw'` (default) raises `ScopeViolationError`; `'log'` only warns. */
  onScopeViolation?: 'throw' | 'log';
  /** Receives scope-violation warnings in `'log'` mode (default `console`). */
  logger?: Logger;
  /** Clock in Unix milliseconds (default `Date.now`); every time rule reads it. */
  now?: () => number;
  /** When set, the token's `iss` must equal it. */
  issuer?: string;
  /** How many distinct verified tokens to remember so re-verification skips RSA (default 256; 0 disables). */
  cacheSize?: number;
}

/** What a verified grant token says, in the upstream SDK's field names. */
export interface VerifiedGrant {
  agentDID: string;
  principalDID: string;
  scopes: string[];
  expiresAt: Date;
  jti: string;
  grantId: string;
  depth: number;
}

export interface OfflineVerifier {
  /** Verifies a grant token offline; rejects with a typed error (see PROTOCOL.md §2). */
  verify(token: string): Promise<VerifiedGrant>;
}

/**
 * Creates a verifier that checks grant tokens against a JWKS snapshot with no network.
 * Only RS256 is accepted. Signature results are cached per exact token string; time,
 * scope and depth rules run on every call.
 */
export function createOfflineVerifier(options: OfflineVerifierOptions): OfflineVerifier {
  const opts = validateVerifierOptions(options);
  const { jwksSnapshot, requireScopes, maxDelegationDepth, onScopeViolation, logger, now, issuer } = opts;
  const skewMs = opts.clockSkewSeconds * 1000;
  // Per kid: the import in flight, then the imported key itself (reachable without an await).
  const keys = new Map<string, CryptoKey | null | Promise<CryptoKey | null>>();
  const verified = new LruCache<string, GrantClaims>(opts.cacheSize);
  const vetted = new LruCache<string, string>(16);

  function keyFor(kid: string): CryptoKey | null | Promise<CryptoKey | null> {
    const known = keys.get(kid);
    if (known !== undefined) return known;
    const importing = importKeyByKid(jwksSnapshot, kid).then(
      (key) => {
        keys.set(kid, key);
        return key;
      },
      (cause: unknown) => {
        keys.delete(kid);
        throw new OfflineVerificationError(`Snapshot key "${kid}" cannot be imported`, 'VERIFICATION_FAILED', { cause });
      },
    );
    keys.set(kid, importing);
    return importing;
  }

  async function verifySignature(token: string): Promise<GrantClaims> {
    const { firstDot, lastDot } = splitCompact(token);
    const kid = headerKid(token, firstDot, vetted);
    const found = keyFor(kid);
    const key = found instanceof Promise ? await found : found;
    if (!key) {
      throw new OfflineVerificationError(`No RS256 key with kid "${kid}" in the JWKS snapshot`, 'KID_NOT_FOUND');
    }
    try {
      return await verifyRs256Compact(token, firstDot, lastDot, key, parseGrantClaims);
    } catch (cause) {
      // Claim errors (typed, found only after the signature held) pass through; the rest is a bad token.
      if (cause instanceof OfflineVerificationError) throw cause;
      throw new OfflineVerificationError('Token signature or encoding is invalid', 'VERIFICATION_FAILED', { cause });
    }
  }

  function checkClaims(claims: GrantClaims, nowMs: number): VerifiedGrant {
    if (issuer !== undefined && claims.iss !== issuer) {
      throw new OfflineVerificationError('Token issuer does not match', 'INVALID_CLAIM');
    }
    if (claims.exp * 1000 + skewMs <= nowMs) throw new TokenExpiredError(new Date(claims.exp * 1000));
    if (claims.iat !== undefined && claims.iat * 1000 > nowMs + skewMs) {
      throw new OfflineVerificationError('Token iat is in the future', 'FUTURE_IAT');
    }
    if (claims.nbf !== undefined && claims.nbf * 1000 > nowMs + skewMs) {
      throw new OfflineVerificationError('Token is not valid yet (nbf)', 'TOKEN_NOT_YET_VALID');
    }
    const scopes = [...claims.scp];
    if (requireScopes.length > 0) {
      if (onScopeViolation === 'throw') {
        enforceScopes(scopes, requireScopes);
      } else if (!requireScopes.every((s) => scopes.includes(s))) {
        logger.warn('offline-consent: scope violation (onScopeViolation: log)', { requiredScopes: requireScopes, grantScopes: scopes });
      }
    }
    if (maxDelegationDepth !== undefined && claims.delegationDepth > maxDelegationDepth) {
      throw new OfflineVerificationError(
        `Delegation depth ${claims.delegationDepth} exceeds maximum ${maxDelegationDepth}`,
        'DELEGATION_DEPTH_EXCEEDED',
      );
    }
    return {
      agentDID: claims.agt,
      principalDID: claims.sub,
      scopes,
      expiresAt: new Date(claims.exp * 1000),
      jti: claims.jti,
      grantId: claims.grnt,
      depth: claims.delegationDepth,
    };
  }

  return {
    async verify(token: string): Promise<VerifiedGrant> {
      const nowMs = now();
      if (isSnapshotExpired(jwksSnapshot, nowMs)) {
        throw new OfflineVerificationError('JWKS snapshot has passed its validUntil (refresh the bundle online)', 'JWKS_SNAPSHOT_EXPIRED');
      }
      let claims = typeof token === 'string' ? verified.get(token) : undefined;
      if (!claims) {
        claims = await verifySignature(token);
        verified.set(token, claims);
      }
      return checkClaims(claims, nowMs);
    },
  };
}
