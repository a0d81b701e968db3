import type { JWKSSnapshot } from './snapshot.js';

// The option types live here; verify.ts imports them (never the reverse), so there is no cycle.

/** Where warnings go when `onScopeViolation` is `'log'`. */
export interface Logger {
  /** Receives one warning and its details. */
  warn(message: string, details?: Record<string, unknown>): void;
}

/** Options of {@link createOfflineVerifier}; bad values throw `TypeError`/`RangeError` at creation. */
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

/** Verifier options with defaults applied, checked once at construction. */
export interface ResolvedVerifierOptions {
  jwksSnapshot: JWKSSnapshot;
  clockSkewSeconds: number;
  requireScopes: readonly string[];
  maxDelegationDepth: number | undefined;
  onScopeViolation: 'throw' | 'log';
  logger: Logger;
  now: () => number;
  issuer: string | undefined;
  cacheSize: number;
}

const consoleLogger: Logger = { warn: (message, details) => console.warn(message, details ?? '') };

function nonNegativeInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/** Applies defaults; `TypeError`/`RangeError` on bad options so mistakes surface before the first token. */
export function validateVerifierOptions(options: OfflineVerifierOptions): ResolvedVerifierOptions {
  if (!options || typeof options !== 'object') throw new TypeError('createOfflineVerifier needs an options object');
  const { jwksSnapshot, clockSkewSeconds = 30, requireScopes = [], maxDelegationDepth, onScopeViolation = 'throw' } = options;
  if (!jwksSnapshot || typeof jwksSnapshot !== 'object' || !Array.isArray(jwksSnapshot.keys)) {
    throw new TypeError('jwksSnapshot must be an object with a keys array');
  }
  if (typeof clockSkewSeconds !== 'number' || !Number.isFinite(clockSkewSeconds) || clockSkewSeconds < 0) {
    throw new RangeError(`clockSkewSeconds must be a finite number >= 0, got ${String(clockSkewSeconds)}`);
  }
  if (!Array.isArray(requireScopes) || !requireScopes.every((s) => typeof s === 'string')) {
    throw new TypeError('requireScopes must be an array of strings');
  }
  if (onScopeViolation !== 'throw' && onScopeViolation !== 'log') {
    throw new TypeError(`onScopeViolation must be 'throw' or 'log', got ${String(onScopeViolation)}`);
  }
  if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError('now must be a function returning Unix ms');
  if (options.issuer !== undefined && typeof options.issuer !== 'string') throw new TypeError('issuer must be a string');
  return {
    jwksSnapshot,
    clockSkewSeconds,
    requireScopes: [...requireScopes],
    maxDelegationDepth: maxDelegationDepth === undefined ? undefined : nonNegativeInteger(maxDelegationDepth, 'maxDelegationDepth'),
    onScopeViolation,
    logger: options.logger ?? consoleLogger,
    now: options.now ?? Date.now,
    issuer: options.issuer,
    cacheSize: options.cacheSize === undefined ? 256 : nonNegativeInteger(options.cacheSize, 'cacheSize'),
  };
}
