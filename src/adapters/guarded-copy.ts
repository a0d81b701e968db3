import { guardFromOptions, type AdapterOptions } from './guard-from-options.js';

type Method = (...args: unknown[]) => unknown;

/**
 * A copy of `tool` of the same class (same prototype, same own fields) with `method`
 * replaced by `replace(original)`. A copy rather than a subclass or proxy keeps
 * `instanceof`, the schema and every framework marker; the original tool is left untouched.
 */
export function copyWithMethod<T extends object>(tool: T, method: string, replace: (original: Method) => Method): T {
  const original = (tool as Record<string, unknown>)[method];
  if (typeof original !== 'function') throw new TypeError(`The tool has no ${method}() to guard`);
  const copy = Object.assign(Object.create(Object.getPrototypeOf(tool) as object) as T, tool);
  Object.defineProperty(copy, method, { configurable: true, writable: true, value: replace(original as Method) });
  return copy;
}

/** An adapter: copies a tool so that `method` — where the framework's calls end up — runs through the guard. */
export function guardToolMethod<Tool extends { name: string }>(method: string) {
  return <T extends Tool>(tool: T, options: AdapterOptions): T => {
    const guard = guardFromOptions(options);
    const action = options.action ?? tool.name;
    return copyWithMethod(tool, method, (original) =>
      function (this: unknown, ...args: unknown[]) {
        return guard.run(action, options.requiredScopes, () => original.apply(this, args));
      },
    );
  };
}
