import { OfflineConsentError } from '../errors.js';

/** Which scopes each tool needs, by the tool's name as the model calls it. */
export type ScopeMap = Readonly<Record<string, readonly string[]>>;

/**
 * The scopes `name` needs, from `map`; a tool with no entry (or a malformed one) is
 * `INVALID_TOOL`, so an unmapped tool is refused when it is wrapped, never run unchecked.
 */
export function scopesFor(map: ScopeMap, name: string): string[] {
  const scopes = Object.hasOwn(map, name) ? map[name] : undefined;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && s.length > 0)) {
    throw new OfflineConsentError(`Tool "${name}" has no scope mapping: add scopes: { ${JSON.stringify(name)}: ['…'] } (use [] for a tool that needs only a valid grant)`, 'INVALID_TOOL');
  }
  return [...scopes];
}

/** Checks the map itself: an object whose every entry names a tool in `names` (a typo is refused, not ignored). */
export function checkScopeMap(map: unknown, names: readonly string[]): ScopeMap {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new TypeError('scopes must be an object: { toolName: [scope, …] }');
  const unknown = Object.keys(map).filter((name) => !names.includes(name));
  if (unknown.length > 0) throw new OfflineConsentError(`scopes names tools that are not there: ${unknown.join(', ')}`, 'INVALID_TOOL');
  return map as ScopeMap;
}

/** The text a model reads for a refusal: the stable code first, then the reason. */
export function refusalText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}
