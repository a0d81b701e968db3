// A small stand-in for the `vitest` module so the portable suite runs where vitest cannot
// (Deno, Bun, Firefox over WebDriver BiDi). Assertions are vitest's own (@vitest/expect on
// chai, @vitest/spy); only the runner is ours: sequential, hooks per file, a summary line.
import * as chai from 'chai';
import { ASYMMETRIC_MATCHERS_OBJECT, GLOBAL_EXPECT, JestAsymmetricMatchers, JestChaiExpect, JestExtend, setState } from '@vitest/expect';
import { fn, restoreAllMocks, spyOn } from '@vitest/spy';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

export const expect = Object.assign((value: unknown, message?: string) => chai.expect(value, message), chai.expect) as unknown as typeof import('vitest').expect;
Object.assign(expect, (globalThis as Record<PropertyKey, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
setState({ assertionCalls: 0, isExpectingAssertions: false, expectedAssertionsNumber: null }, expect as never);
(globalThis as Record<PropertyKey, unknown>)[GLOBAL_EXPECT] = expect;

export const vi = { fn, spyOn, restoreAllMocks };

type Fn = () => unknown;
interface Case { name: string; run: Fn; hooks: Hooks }
interface Hooks { before: Fn[]; after: Fn[] }

const cases: Case[] = [];
const prefix: string[] = [];
let hooks: Hooks = { before: [], after: [] };

/** Test files are bundled in order; each starts with a fresh hook list. */
export function beginFile(name: string): void {
  prefix.length = 0;
  prefix.push(name);
  hooks = { before: [], after: [] };
}

export function describe(name: string, body: Fn): void {
  prefix.push(name);
  body();
  prefix.pop();
}

function addCase(name: string, run: Fn): void {
  cases.push({ name: [...prefix, name].join(' › '), run, hooks });
}

function format(name: string, args: unknown[]): string {
  let i = 0;
  return name.replace(/%[sdi]/g, () => String(args[i++]));
}

export const it = Object.assign(addCase, {
  each:
    <T>(table: readonly T[]) =>
    (name: string, run: (...args: unknown[]) => unknown) => {
      // As in vitest: an array row is spread into arguments, anything else is passed as one.
      for (const row of table) {
        const args = Array.isArray(row) ? row : [row];
        addCase(format(name, args), () => run(...args));
      }
    },
});
export const test = it;
export const beforeEach = (f: Fn) => void hooks.before.push(f);
export const afterEach = (f: Fn) => void hooks.after.push(f);

/** Runs every collected case and returns the counts; prints `N passed, N failed`. */
export async function runAll(log: (line: string) => void): Promise<{ passed: number; failed: number; failures: string[] }> {
  let passed = 0;
  const failures: string[] = [];
  for (const c of cases) {
    try {
      for (const h of c.hooks.before) await h();
      try {
        await c.run();
      } finally {
        for (const h of c.hooks.after) await h();
      }
      passed++;
    } catch (error) {
      const message = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
      failures.push(`${c.name}: ${message}`);
      log(`✗ ${c.name}\n  ${message.split('\n').slice(0, 6).join('\n  ')}`);
    }
  }
  log(`${passed} passed, ${failures.length} failed`);
  return { passed, failed: failures.length, failures };
}
