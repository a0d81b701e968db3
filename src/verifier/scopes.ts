import { ScopeViolationError } from '../errors.js';

/** Whether the grant's scopes include `scope` (exact string match). */
export function hasScope(grantScopes: readonly string[], scope: string): boolean {
  return grantScopes.includes(scope);
}

/** Throws `ScopeViolationError` unless every required scope is granted. */
export function enforceScopes(grantScopes: readonly string[], requiredScopes: readonly string[]): void {
  if (!requiredScopes.every((s) => grantScopes.includes(s))) {
    throw new ScopeViolationError([...requiredScopes], [...grantScopes]);
  }
}
