import { OfflineConsentError, ToolExecutionError } from '../errors.js';
import type { RunOptions } from '../guard/types.js';
import { guardFromOptions, type AdapterGuard, type AdapterOptions } from './guard-from-options.js';

/** Every refusal an adapter has thrown (not the tools' own errors), so a framework's wrapping of it can be undone. */
export const refusals = new WeakSet<object>();

const refuse = (error: unknown): never => {
  if (typeof error === 'object' && error !== null) refusals.add(error);
  throw error;
};

/** A tool method, called with the tool as `this`. */
export type Method = (...args: unknown[]) => unknown;

/**
 * A copy of `tool` of the same class (same prototype, same own fields) with `method`
 * replaced by `replace(original)`. A copy rather than a subclass or proxy keeps
 * `instanceof`, the schema and every framework marker; the original tool is left untouched.
 */
export function copyWithMethod<T extends object>(tool: T, method: string, replace: (original: Method) => Method): T {
  const original = (tool as Record<string, unknown>)[method] as Method;
  const copy = Object.create(Object.getPrototypeOf(tool) as object, Object.getOwnPropertyDescriptors(tool)) as T;
  Object.defineProperty(copy, method, { configurable: true, writable: true, enumerable: Object.prototype.propertyIsEnumerable.call(tool, method), value: replace(original) });
  return copy;
}

/** The first of `methods` that `tool` can call, or `INVALID_TOOL` (upstream's message and code). */
export function pickMethod(tool: object, methods: readonly string[]): string {
  const found = methods.find((m) => typeof (tool as Record<string, unknown>)[m] === 'function');
  if (found) return found;
  const upstream = methods.slice(-2).map((m) => `"${m}"`).join(' or ');
  throw new OfflineConsentError(`Tool must have a ${upstream} method`, 'INVALID_TOOL');
}

/**
 * Runs `call` through the guard with upstream's outcomes: a token that fails verification is
 * `AUTH_FAILED` (its error the `cause`), a missing scope is `ScopeViolationError`, the tool's
 * own error comes back unchanged; every outcome is audited under `action`. Refusals are
 * remembered in {@link refusals}, so a framework's wrapping of them can be undone.
 */
export async function runGuarded<T>({ guard, refusal }: AdapterGuard, action: string, requiredScopes: string[], call: () => T | Promise<T>, options?: RunOptions): Promise<Awaited<T>> {
  let own: { error: unknown } | undefined;
  try {
    return await guard.run(action, requiredScopes, async () => {
      try {
        return await call();
      } catch (error) {
        own = { error };
        throw error;
      }
    }, options);
  } catch (error) {
    if (own && (error === own.error || (error instanceof ToolExecutionError && error.cause === own.error))) throw own.error;
    return refuse(refusal(error));
  }
}

/**
 * A call's tool arguments, for the grant's limits: its first argument when that is a plain
 * object; ADK's `runAsync` request and a LangChain `ToolCall` (to `invoke`) carry them under `args`.
 */
export function toolArgs(method: string, first: unknown): Record<string, unknown> | undefined {
  if (typeof first !== 'object' || first === null || Array.isArray(first)) return undefined;
  const inner = (first as { args?: unknown }).args;
  if ((method === 'runAsync' || method === 'invoke') && typeof inner === 'object' && inner !== null && !Array.isArray(inner)) return inner as Record<string, unknown>;
  return first as Record<string, unknown>;
}

/** Copies `tool` so that `method` runs through {@link runGuarded}, audited as `tool:<name>` unless `options.action` says otherwise. */
export function guardMethod<T extends object>(tool: T, method: string, options: AdapterOptions): T {
  const adapter = guardFromOptions(options);
  const name = (tool as { name?: unknown }).name;
  const action = options.action ?? `tool:${typeof name === 'string' && name ? name : 'unknown'}`;
  return copyWithMethod(tool, method, (original) =>
    function (this: unknown, ...args: unknown[]) {
      const called = toolArgs(method, args[0]);
      return runGuarded(adapter, action, options.requiredScopes, () => original.apply(this, args), called ? { args: called } : undefined);
    },
  );
}
