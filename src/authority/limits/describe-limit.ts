import type { GrantLimit } from '../../verifier/limits.js';

/** A limit in a few words for people, e.g. `3 calls per 1h`, `50 EUR of amount per 1d`, `celsius in 16..24`. */
export function describeLimit(l: GrantLimit): string {
  switch (l.kind) {
    case 'rate':
      return `${l.max} calls per ${l.per}`;
    case 'total':
      return `${l.max} calls in total`;
    case 'budget':
      return `${l.max}${l.unit ? ` ${l.unit}` : ''} of ${l.sum}${l.per ? ` per ${l.per}` : ' in total'}`;
    case 'bounds': {
      const range = l.min !== undefined || l.max !== undefined ? ` in ${l.min ?? ''}..${l.max ?? ''}` : '';
      const set = l.oneOf ? ` one of ${l.oneOf.map((v) => JSON.stringify(v)).join(', ')}` : '';
      return `${l.arg}${range}${range && set ? ' and' : ''}${set}`;
    }
  }
}
