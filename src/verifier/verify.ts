import { OfflineVerificationError, TokenExpiredError } from '../errors.js';
import { parseGrantClaims, type ParsedGrantToken } from './claims.js';
import type { GrantLimit } from './limits.js';
import { enforceScopes } from './scopes.js';
import { importKeyByKid, isSnapshotExpired, type JWKSSnapshot } from './snapshot.js';
import { LruCache } from './token-cache.js';
import { verifyRs256Compact } from './rs256.js';
import { validateVerifierOptions, type OfflineVerifierOptions, type ResolvedVerifierOptions } from './options.js';
import { headerKid, splitCompact } from './header.js';

export { MAX_TOKEN_LENGTH } from './header.js';
export type { Logger, OfflineVerifierOptions } from './options.js';

/** What a verified grant token says, in the upstream SDK's field names. */
export interface VerifiedGrant {
  /** The agent's DID (`agt`). */
  agentDID: string;
  /** The user who granted consent (`sub`; `''` when absent). */
  principalDID: string;
  /** The granted scopes (`scp`). */
  scopes: string[];
  /** When the token expires (`exp`). */
  expiresAt: Date;
  /** The token's id (`jti`; `''` when absent). */
  jti: string;
  /** The grant's id (`grnt`, else `jti`). */
  grantId: string;
  /** How many delegations deep the grant is (`delegationDepth`, default 0). */
  depth: number;
  /**
   * What the grant allows of its scopes: rates, totals, budgets, argument bounds ([] when none).
   * Always set by this library's verifier; optional so upstream's verifier still fits, whose
   * grants leave it out (the guard then reads the claim from the token it verified).
   */
  limits?: readonly GrantLimit[];
}

/** Checks grant tokens offline; made by {@link createOfflineVerifier}. */
export interface OfflineVerifier {
  /** Verifies a grant token offline; rejects with a typed error (see PROTOCOL.md §2). */
  verify(token: string): Promise<VerifiedGrant>;
}

/**
 * Creates a verifier that checks grant tokens against a JWKS snapshot with no network.
 * Only RS256 is accepted. Signature results are cached per exact token string; time,
 * scope and depth rules run on every call.
 *
 * @example
 * ```ts
 * import { createOfflineVerifier, OfflineConsentError, type ConsentBundle } from 'offline-consent';
 *
 * declare const bundle: ConsentBundle; // received while online
 * const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, requireScopes: ['sensor:read'] });
 * try {
 *   const grant = await verifier.verify(bundle.grantToken); // no network
 *   console.log(grant.agentDID, grant.scopes, grant.expiresAt);
 * } catch (error) {
 *   if (error instanceof OfflineConsentError) console.error(error.code); // e.g. TOKEN_EXPIRED
 * }
 * ```
 */
export function createOfflineVerifier(options: OfflineVerifierOptions): OfflineVerifier {
  return verifierFor(validateVerifierOptions(options));
}

/**
 * The guard's verifier: the defaults of {@link createOfflineVerifier} on a snapshot and a
 * clock, with no options to check (so an app that makes no verifier of its own ships no option checks).
 */
export function defaultVerifier(jwksSnapshot: JWKSSnapshot, now: () => number): OfflineVerifier {
  // No required scopes, so onScopeViolation and its logger are never read.
  return verifierFor({ jwksSnapshot, now, clockSkewSeconds: 30, requireScopes: [], cacheSize: 256 } as unknown as ResolvedVerifierOptions);
}

function verifierFor(opts: ResolvedVerifierOptions): OfflineVerifier {
  const { jwksSnapshot, requireScopes, maxDelegationDepth, onScopeViolation, logger, now, issuer } = opts;
  const skewMs = opts.clockSkewSeconds * 1000;
  // Per kid: the import in flight, then the imported key itself (reachable without an await).
  const keys = new Map<string, CryptoKey | null | Promise<CryptoKey | null>>();
  const verified = new LruCache<string, ParsedGrantToken>(opts.cacheSize);
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

  async function verifySignature(token: string): Promise<ParsedGrantToken> {
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

  /** Upstream's order: expiry, then `iat` (and `nbf`), then what the other claims say. */
  function checkClaims(parsed: ParsedGrantToken, nowMs: number): VerifiedGrant {
    if (parsed.exp * 1000 + skewMs <= nowMs) throw new TokenExpiredError(new Date(parsed.exp * 1000));
    if (parsed.iat !== undefined && parsed.iat * 1000 > nowMs + skewMs) {
      throw new OfflineVerificationError('Token iat is in the future', 'FUTURE_IAT');
    }
    if (parsed.nbf !== undefined && parsed.nbf * 1000 > nowMs + skewMs) {
      throw new OfflineVerificationError('Token is not valid yet (nbf)', 'TOKEN_NOT_YET_VALID');
    }
    if (issuer !== undefined && parsed.iss !== issuer) {
      throw new OfflineVerificationError('Token issuer does not match', 'INVALID_CLAIM');
    }
    const claims = parsed.claims;
    if ('invalid' in claims) throw new OfflineVerificationError(claims.invalid, 'INVALID_CLAIM');
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
      limits: claims.limits,
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
