// Runs fast-check properties with a reproducible seed and prints one line per property with
// the number of cases it ran. Environment:
//   FC_SEED=<int>   replay that seed        FC_SEED=random   a fresh seed per property
//   FC_RUNS=<int>   run every property that many cases instead of its default
// The Chromium project gets only VITE_-prefixed variables (Vite's rule): VITE_FC_SEED, VITE_FC_RUNS.
import fc from 'fast-check';

function env(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const vite = (import.meta as { env?: Record<string, string | undefined> }).env;
  return proc?.env?.[name] ?? vite?.[`VITE_${name}`];
}

/** A fixed seed per property name, so CI runs the same cases every time unless FC_SEED says otherwise. */
function seedFor(name: string): number {
  const given = env('FC_SEED');
  if (given === 'random') return (Math.random() * 0x7fffffff) | 0;
  if (given !== undefined && /^-?\d+$/.test(given)) return Number(given);
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h | 0;
}

export function runsFor(defaultRuns: number): number {
  const given = Number(env('FC_RUNS'));
  return Number.isSafeInteger(given) && given > 0 ? given : defaultRuns;
}

/** Case counts of every property run in this process, for the summary line a suite may print. */
export const ranCases: Record<string, number> = {};

/**
 * Checks `property` for `runs` cases (or FC_RUNS), logs `[property] name: N cases, seed S`,
 * and throws fast-check's report (with the seed and counterexample path to replay) on failure.
 */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  name: string,
  property: fc.IAsyncPropertyWithHooks<Ts> | fc.IPropertyWithHooks<Ts>,
  runs: number,
): Promise<fc.RunDetails<Ts>> {
  const seed = seedFor(name);
  const numRuns = runsFor(runs);
  const started = performance.now();
  const details = await fc.check(property as fc.IAsyncPropertyWithHooks<Ts>, { seed, numRuns, endOnFailure: false });
  const ms = Math.round(performance.now() - started);
  ranCases[name] = details.numRuns;
  console.log(`[property] ${name}: ${details.numRuns} cases (${details.numSkips} skipped), seed ${seed}, ${ms} ms`);
  if (details.failed) {
    const report = (await fc.asyncDefaultReportMessage(details)) ?? `${name} failed`;
    // Counterexamples can be megabytes (64 KB tokens, 1 MB bodies): keep the report readable.
    const cut = report.length > 6000 ? `${report.slice(0, 3000)}\n… ${report.length - 6000} characters cut …\n${report.slice(-3000)}` : report;
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`${name}: ${cause.slice(0, 1000)}\n${cut}`);
  }
  // A generator that filters away most of its cases would pass vacuously: require the full count.
  if (details.numRuns !== numRuns) throw new Error(`${name} ran ${details.numRuns} of ${numRuns} cases`);
  return details;
}
