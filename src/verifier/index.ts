export { createOfflineVerifier, MAX_TOKEN_LENGTH } from './verify.js';
export type { OfflineVerifier, VerifiedGrant } from './verify.js';
export type { OfflineVerifierOptions, Logger } from './options.js';
export { importKeyByKid, isSnapshotExpired } from './snapshot.js';
export type { JWKSSnapshot } from './snapshot.js';
export { enforceScopes, hasScope } from './scopes.js';
export { LIMITS_CLAIM, parseLimits, windowMs } from './limits.js';
export type { BoundsLimit, BudgetLimit, GrantLimit, RateLimit, TotalLimit } from './limits.js';
