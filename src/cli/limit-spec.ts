// `--limit` as people type it: `SCOPE KIND …`, turned into the JSON limit the authority signs.
import { parseLimits, type GrantLimit } from '../verifier/limits.js';
import { CliError } from './output.js';

/** The `--limit` syntax, for help texts and errors. */
export const LIMIT_SYNTAX = "'SCOPE rate MAX/PER' | 'SCOPE total MAX' | 'SCOPE budget ARG MAX[/PER] [UNIT]' | 'SCOPE bounds ARG [MIN..MAX] [in V1,V2,…]'";

const NUMBER = /^-?\d+(\.\d+)?$/;

/** A number as typed, or a usage error naming what it was for. */
function number(text: string | undefined, what: string): number {
  if (text === undefined || !NUMBER.test(text)) throw new Error(`${what} must be a number, got ${JSON.stringify(text ?? '')}`);
  return Number(text);
}

/** A value of `in V1,V2`: a number, true/false, or else the text itself. */
const value = (text: string): string | number | boolean => (NUMBER.test(text) ? Number(text) : text === 'true' ? true : text === 'false' ? false : text);

/** `MAX` or `MAX/PER`. */
function amount(text: string | undefined, what: string): { max: number; per?: string } {
  const [max, per, extra] = (text ?? '').split('/');
  if (extra !== undefined) throw new Error(`${what} is MAX or MAX/PER, got ${JSON.stringify(text)}`);
  return { max: number(max, what), ...(per === undefined ? {} : { per }) };
}

/** One `--limit` value as a limit (not yet checked against the grant's scopes). */
function parseOne(spec: string): GrantLimit {
  const [scope, kind, ...rest] = spec.trim().split(/\s+/);
  if (!scope || !kind) throw new Error('give a scope and a kind');
  const done = (limit: GrantLimit, used: number) => {
    if (rest.length > used) throw new Error(`unexpected ${JSON.stringify(rest.slice(used).join(' '))}`);
    return limit;
  };
  switch (kind) {
    case 'rate': {
      const { max, per } = amount(rest[0], 'a rate');
      if (per === undefined) throw new Error('a rate needs a window: MAX/PER, e.g. 3/1h');
      return done({ scope, kind, max, per }, 1);
    }
    case 'total':
      return done({ scope, kind, max: number(rest[0], 'a total') }, 1);
    case 'budget': {
      const [sum, size, unit] = rest;
      if (!sum) throw new Error('a budget needs the argument it sums: budget ARG MAX[/PER] [UNIT]');
      return done({ scope, kind, sum, ...amount(size, 'a budget'), ...(unit === undefined ? {} : { unit }) }, unit === undefined ? 2 : 3);
    }
    case 'bounds': {
      const [arg, ...bounds] = rest;
      if (!arg) throw new Error('bounds need the argument they bound: bounds ARG [MIN..MAX] [in V1,V2,…]');
      const limit: GrantLimit & { kind: 'bounds' } = { scope, kind, arg };
      let i = 0;
      if (bounds[i]?.includes('..')) {
        const [min, max] = bounds[i++]!.split('..');
        if (min) limit.min = number(min, 'MIN');
        if (max) limit.max = number(max, 'MAX');
      }
      if (bounds[i] === 'in') {
        if (!bounds[i + 1]) throw new Error('give the values after "in", comma-separated');
        limit.oneOf = bounds[i + 1]!.split(',').map(value);
        i += 2;
      }
      return done(limit, i + 1);
    }
    default:
      throw new Error(`unknown kind ${JSON.stringify(kind)} (rate, total, budget or bounds)`);
  }
}

/**
 * Every `--limit` given, as the authority's `limits` field, checked as the device will read
 * them (`parseLimits`); a bad one is a usage error (exit 2) naming it.
 */
export function parseLimitSpecs(specs: readonly string[], scopes: readonly string[]): GrantLimit[] {
  const limits = specs.map((spec) => {
    try {
      return parseOne(spec);
    } catch (error) {
      throw new CliError(`--limit ${JSON.stringify(spec)}: ${(error as Error).message}; the syntax is ${LIMIT_SYNTAX}`, 2);
    }
  });
  try {
    parseLimits(limits, scopes);
  } catch (reason) {
    const message = reason instanceof Error ? reason.message : String(reason);
    const index = Number(/^Limit (\d+)/.exec(message)?.[1] ?? NaN);
    const which = Number.isInteger(index) ? `--limit ${JSON.stringify(specs[index])}` : '--limit';
    throw new CliError(`${which}: ${message.replace(/^Limit \d+ of claim "[^"]+" /, '')}`, 2);
  }
  return limits;
}

/** Collects a repeatable option's values. */
export const collect = (v: string, all: string[] = []): string[] => [...all, v];
