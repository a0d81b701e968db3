// Property-based check of the guard's limits (issue 18) against a reference model written from
// PROTOCOL.md §2.1, and of the guard against the authority's re-check: whatever the guard lets
// run, concurrently and with slow tools, the authority's replay of the trail flags nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../vectors/interop-vectors.json';
import { LIMITS_CLAIM, createAgentGuard, createLimitLedger, createMemoryAuditStore, createOfflineAuditLog, enforceLimits, type GrantLimit } from '../../src/index.js';
import { NOW } from '../helpers/tokens.js';
import { testBundle } from '../helpers/bundle.js';
import { checkProperty } from '../helpers/properties.js';

const SCOPE = 'thermostat:write';
const PER: Record<string, number> = { '1m': 60_000, '1h': 3_600_000 };

const limitArb: fc.Arbitrary<GrantLimit> = fc.oneof(
  fc.record({ scope: fc.constant(SCOPE), kind: fc.constant('rate' as const), max: fc.integer({ min: 0, max: 4 }), per: fc.constantFrom('1m', '1h') }),
  fc.record({ scope: fc.constant(SCOPE), kind: fc.constant('total' as const), max: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ scope: fc.constant(SCOPE), kind: fc.constant('budget' as const), sum: fc.constant('amount'), max: fc.integer({ min: 0, max: 20 }), per: fc.constantFrom('1m', '1h') }),
  fc.record({ scope: fc.constant(SCOPE), kind: fc.constant('budget' as const), sum: fc.constant('amount'), max: fc.integer({ min: 0, max: 20 }) }),
);

/** The spec's verdict for a call at `t` (sequential calls): every counting limit's use in its window, plus this call, within max. */
function referenceAllows(limits: readonly GrantLimit[], ran: { at: number; amount: number }[], t: number, amount: number): boolean {
  return limits.every((l) => {
    if (l.kind === 'bounds') return true;
    const size = l.kind === 'budget' ? amount : 1;
    const window = 'per' in l && l.per ? PER[l.per]! : Infinity;
    const used = ran.filter((r) => r.at > t - window).reduce((sum, r) => sum + (l.kind === 'budget' ? r.amount : 1), 0);
    return used + size <= l.max;
  });
}

async function guardFor(limits: readonly GrantLimit[]) {
  const clock = { t: NOW };
  const bundle = await testBundle({ claims: { [LIMITS_CLAIM]: limits, iat: NOW / 1000 - 86_400, exp: NOW / 1000 + 30 * 86_400 }, offlineExpiresAt: new Date(NOW + 30 * 86_400_000).toISOString() });
  bundle.jwksSnapshot.validUntil = new Date(NOW + 40 * 86_400_000).toISOString();
  const log = createOfflineAuditLog({ signingKey: vectors.auditKey, store: createMemoryAuditStore(), now: () => clock.t });
  return { clock, log, guard: createAgentGuard({ bundle, auditLog: log, clock: () => clock.t, limits: enforceLimits }) };
}

describe('limits (fast-check)', () => {
  it('sequential calls get exactly the reference model\'s verdicts, the clock moving forward and back', async () => {
    const step = fc.record({ advance: fc.oneof(fc.integer({ min: 0, max: 90_000 }), fc.constant(3_600_000), fc.integer({ min: -7_200_000, max: -1 })), amount: fc.integer({ min: 0, max: 9 }) });
    await checkProperty(
      'limits: sequential calls vs reference model',
      fc.asyncProperty(fc.array(limitArb, { minLength: 1, maxLength: 3 }), fc.array(step, { minLength: 1, maxLength: 25 }), async (limits, steps) => {
        const { clock, guard } = await guardFor(limits);
        const ran: { at: number; amount: number }[] = [];
        let floor = -Infinity; // the guard never trusts a clock below its last entry (every call writes one)
        for (const { advance, amount } of steps) {
          clock.t += advance;
          const t = Math.max(clock.t, floor);
          const want = referenceAllows(limits, ran, t, amount);
          const got = await guard.run('heat', [SCOPE], () => true, { args: { amount } }).then(() => true, (e: { code?: string }) => {
            if (e.code !== 'LIMIT_EXCEEDED') throw e;
            return false;
          });
          floor = t;
          if (got !== want) return false;
          if (got) ran.push({ at: t, amount });
        }
        return true;
      }),
      150,
    );
  });

  it('concurrent calls with slow tools: the authority\'s replay of the trail flags no call the guard let run', async () => {
    const action = fc.oneof(fc.record({ start: fc.integer({ min: 0, max: 9 }) }), fc.record({ finish: fc.nat() }), fc.record({ advance: fc.oneof(fc.integer({ min: 1, max: 40_000 }), fc.constant(60_000)) }));
    await checkProperty(
      'limits: guard vs authority re-check under concurrency',
      fc.asyncProperty(fc.array(limitArb, { minLength: 1, maxLength: 3 }), fc.array(action, { minLength: 1, maxLength: 40 }), async (limits, actions) => {
        const { clock, guard, log } = await guardFor(limits);
        const running: Array<() => void> = [];
        const calls: Promise<unknown>[] = [];
        for (const a of actions) {
          if ('start' in a) {
            let finish!: () => void;
            const done = new Promise<void>((resolve) => (finish = resolve));
            running.push(finish);
            calls.push(guard.run('heat', [SCOPE], () => done, { args: { amount: a.start } }).catch(() => undefined));
          } else if ('finish' in a && running.length > 0) running.splice(a.finish % running.length, 1)[0]!();
          else if ('advance' in a) clock.t += a.advance;
          await new Promise((r) => setTimeout(r, 0));
        }
        for (const finish of running) finish();
        await Promise.all(calls);
        const authority = createLimitLedger(limits);
        for (const entry of await log.entries()) if (authority.record(entry)) return false;
        return true;
      }),
      300,
    );
  });

  it('the authority flags exactly the calls a forged trail ran past its limits', () => {
    const ledger = createLimitLedger([{ scope: SCOPE, kind: 'rate', max: 2, per: '1h' }]);
    const at = (m: number) => new Date(NOW + m * 60_000).toISOString();
    // A call that broke a limit still ran, so it counts against the next ones.
    const flagged = [0, 10, 20, 61, 75, 125, 126, 127].map((m) => ledger.record({ scopes: [SCOPE], result: 'success', timestamp: at(m) }) !== null);
    expect(flagged).toEqual([false, false, true, true, true, false, true, true]);
    // Refusals and other scopes use nothing.
    expect(ledger.record({ scopes: [SCOPE], result: 'scope_violation', timestamp: at(200) })).toBeNull();
    expect(ledger.usage(NOW + 127 * 60_000)[0]).toMatchObject({ used: 4, remaining: 0, resetAt: at(135) }); // 75, 125, 126, 127 in (67, 127]
  });
});
