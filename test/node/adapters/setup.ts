// Shared fixture for the adapter tests: a bundle, a memory log, a guard on a movable clock.
import { createAgentGuard } from '../../../src/index.js';
import { NOW } from '../../helpers/tokens.js';
import { memoryLog, testBundle } from '../../helpers/bundle.js';

export async function adapterFixture(options: Parameters<typeof testBundle>[0] = {}) {
  let now = NOW;
  const clock = () => now;
  const bundle = await testBundle(options);
  const { log } = memoryLog(clock);
  const guard = createAgentGuard({ bundle, auditLog: log, clock });
  return { bundle, log, guard, clock, setNow: (t: number) => (now = t) };
}
