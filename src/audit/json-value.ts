/** Why `copyJson` refused a value: where (`at`), which rule, and a sentence naming both. */
export class JsonRefusal {
  constructor(
    readonly at: string,
    readonly rule: 'metadata-value' | 'metadata-depth',
    readonly message: string,
  ) {}
}

/** Own properties set as data, so a `__proto__` key stays a key (as JSON.parse makes it). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * A plain-JSON copy of `value` (named `path` in messages), reading every property (and
 * `toJSON`) exactly once, as `JSON.stringify` would; throws `JsonRefusal` for what JSON would
 * throw on, drop or change. Allowed: null, booleans, strings, finite numbers, arrays, plain
 * objects, objects with `toJSON` (e.g. Date), and `undefined` as an object property (omitted,
 * as JSON does). Refused: functions, symbols, BigInt, NaN/Infinity, cycles, `undefined` in
 * arrays, class instances such as Map or Set (JSON would silently turn them into `{}`), and
 * objects nested past `maxDepth` (the value itself is depth 0; `tooDeep(at)` words that refusal).
 */
export function copyJson(value: unknown, path: string, maxDepth: number, tooDeep: (at: string) => string): unknown {
  const onPath = new Set<object>();
  const refuse = (at: string, message: string, rule: JsonRefusal['rule'] = 'metadata-value'): never => {
    throw new JsonRefusal(at, rule, message);
  };
  function copy(value: unknown, at: string, depth: number, key: string): unknown {
    let v = value;
    if (v !== null && (typeof v === 'object' || typeof v === 'function')) {
      const toJSON: unknown = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') v = (toJSON as (key: string) => unknown).call(v, key); // JSON applies toJSON first, so do we
    }
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        return Number.isFinite(v) ? v : refuse(at, `${at} is ${String(v)}, which JSON turns into null`);
      case 'undefined':
        return refuse(at, `${at} is undefined`);
      case 'function':
      case 'symbol':
      case 'bigint':
        return refuse(at, `${at} is a ${typeof v}, which JSON cannot store`);
    }
    if (v === null) return null;
    const obj = v as object;
    if (depth > maxDepth) refuse(at, tooDeep(at), 'metadata-depth');
    if (onPath.has(obj)) refuse(at, `${at} refers back to itself (a cycle)`);
    onPath.add(obj);
    try {
      if (Array.isArray(obj)) {
        const length = obj.length;
        const out = new Array<unknown>(length);
        for (let i = 0; i < length; i++) out[i] = copy(obj[i], `${at}[${i}]`, depth + 1, String(i));
        return out;
      }
      const proto: unknown = Object.getPrototypeOf(obj);
      if (proto !== Object.prototype && proto !== null) {
        refuse(at, `${at} is a ${(obj.constructor as { name?: string } | undefined)?.name ?? 'non-plain'} object, which JSON would store as {}`);
      }
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(obj)) {
        const child: unknown = (obj as Record<string, unknown>)[k];
        if (child !== undefined) put(out, k, copy(child, `${at}.${k}`, depth + 1, k)); // JSON omits undefined; stored and hashed forms agree
      }
      return out;
    } finally {
      onPath.delete(obj);
    }
  }
  return copy(value, path, 0, '');
}

/**
 * Returns a meta value unchanged, or throws `TypeError` when JSON cannot store it faithfully
 * (the rules of `copyJson`, nested at most 100 levels).
 */
export function checkMetaValue<T>(value: T, name: string): T {
  try {
    copyJson(value, `meta "${name}"`, 100, (at) => `${at} is nested deeper than 100 levels`);
  } catch (error) {
    if (error instanceof JsonRefusal) throw new TypeError(`Cannot store ${error.message}`);
    throw error;
  }
  return value;
}
