/**
 * Why a value cannot be stored as JSON without JSON.stringify throwing, dropping or
 * changing it, or null when it can. Allowed: null, booleans, strings, finite numbers,
 * arrays, plain objects, objects with `toJSON` (e.g. Date), and `undefined` as an object
 * property (omitted, as JSON does). Refused: functions, symbols, BigInt, NaN/Infinity,
 * cycles, `undefined` in arrays, and class instances such as Map or Set (JSON would
 * silently turn them into `{}`).
 */
export function jsonProblem(value: unknown, path: string, maxDepth = 100): string | null {
  const onPath = new Set<object>();
  function walk(v: unknown, at: string, depth: number, key: string): string | null {
    if (v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON(key: string): unknown }).toJSON(key); // JSON applies toJSON first, so do we
    }
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return null;
      case 'number':
        return Number.isFinite(v) ? null : `${at} is ${String(v)}, which JSON turns into null`;
      case 'undefined':
        return `${at} is undefined`;
      case 'function':
      case 'symbol':
      case 'bigint':
        return `${at} is a ${typeof v}, which JSON cannot store`;
    }
    if (v === null) return null;
    const obj = v as object;
    if (depth > maxDepth) return `${at} is nested deeper than ${maxDepth} levels`;
    if (onPath.has(obj)) return `${at} refers back to itself (a cycle)`;
    onPath.add(obj);
    try {
      if (Array.isArray(obj)) {
        for (let i = 0; i < obj.length; i++) {
          const problem = walk(obj[i], `${at}[${i}]`, depth + 1, String(i));
          if (problem) return problem;
        }
        return null;
      }
      const proto = Object.getPrototypeOf(obj);
      if (proto !== Object.prototype && proto !== null) {
        return `${at} is a ${(obj.constructor as { name?: string } | undefined)?.name ?? 'non-plain'} object, which JSON would store as {}`;
      }
      for (const [k, child] of Object.entries(obj)) {
        if (child === undefined) continue; // JSON omits it; the stored and hashed forms agree
        const problem = walk(child, `${at}.${k}`, depth + 1, k);
        if (problem) return problem;
      }
      return null;
    } finally {
      onPath.delete(obj);
    }
  }
  return walk(value, path, 0, '');
}

/** Returns a meta value unchanged, or throws `TypeError` when JSON cannot store it faithfully. */
export function checkMetaValue<T>(value: T, name: string): T {
  const problem = jsonProblem(value, `meta "${name}"`);
  if (problem) throw new TypeError(`Cannot store ${problem}`);
  return value;
}
