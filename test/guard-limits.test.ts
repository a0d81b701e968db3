// Grant limits enforced offline by the guard (issue 18), in Node and in Chromium.
import { describe, expect, it, vi } from 'vitest';
import vectors from './vectors/interop-vectors.json';
import { LIMITS_CLAIM, LimitExceededError, createAgentGuard, createOfflineAuditLog, createOfflineVerifier, enforceLimits, parseLimits, type GrantLimit } from '../src/index.js';
import { createMemoryAuditStore } from '../src/index.js';
import { NOW } from './helpers/tokens.js';
import { testBundle } from './helpers/bundle.js';

const HOUR = 3_600_000;
const RATE: GrantLimit = { scope: 'thermostat:write', kind: 'rate', max: 3, per: '1h' };

async function setup(limits: unknown[], options: { enforce?: boolean; store?: ReturnType<typeof createMemoryAuditStore>; clock?: { t: number } } = {}) {
  const clock = options.clock ?? { t: NOW };
  const bundle = await testBundle({ claims: { [LIMITS_CLAIM]: limits }, offlineExpiresAt: new Date(NOW + 30 * 86_400_000).toISOString() });
  bundle.jwksSnapshot.validUntil = new Date(NOW + 40 * 86_400_000).toISOString();
  (bundle as { grantToken: string }).grantToken = (await testBundle({ claims: { [LIMITS_CLAIM]: limits, exp: NOW / 1000 + 30 * 86_400 } })).grantToken;
  const store = options.store ?? createMemoryAuditStore();
  const log = createOfflineAuditLog({ signingKey: vectors.auditKey, store, now: () => clock.t });
  const guard = createAgentGuard({ bundle, auditLog: log, clock: () => clock.t, ...(options.enforce === false ? {} : { limits: enforceLimits }) });
  const set = (celsius: unknown) => guard.run('thermostat.set', ['thermostat:write'], () => 'set', { args: { celsius } });
  return { guard, log, store, clock, set, bundle };
}

const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e));

describe('limits in the grant (verifier)', () => {
  it('exposes the limits as VerifiedGrant.limits, [] without the claim', async () => {
    const { bundle } = await setup([RATE]);
    const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, now: () => NOW });
    expect((await verifier.verify(bundle.grantToken)).limits).toEqual([RATE]);
    const plain = await testBundle();
    expect((await createOfflineVerifier({ jwksSnapshot: plain.jwksSnapshot, now: () => NOW }).verify(plain.grantToken)).limits).toEqual([]);
  });

  it.each([
    ['an unknown kind', [{ scope: 'thermostat:write', kind: 'quota', max: 1 }]],
    ['a scope the grant lacks', [{ scope: 'email:send', kind: 'total', max: 1 }]],
    ['a claim that is not a list', { scope: 'thermostat:write', kind: 'total', max: 1 }],
  ])('refuses a grant whose limits have %s (INVALID_CLAIM), never treating it as unlimited', async (_, limits) => {
    const { bundle, guard } = await setup(limits as unknown[]);
    const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, now: () => NOW });
    await expect(codeOf(verifier.verify(bundle.grantToken))).resolves.toBe('INVALID_CLAIM');
    await expect(codeOf(guard.run('sensor.read', ['sensor:read'], () => 1))).resolves.toBe('INVALID_CLAIM');
  });

  it.each([
    [{ scope: 's', kind: 'rate', max: 3 }, 'lacks "per"'],
    [{ scope: 's', kind: 'rate', max: 3, per: '1w' }, '"per"'],
    [{ scope: 's', kind: 'total', max: 1.5 }, '"max"'],
    [{ scope: 's', kind: 'total', max: 1, per: '1h' }, 'unknown field "per"'],
    [{ scope: 's', kind: 'budget', max: 50 }, '"sum"'],
    [{ scope: 's', kind: 'bounds', arg: 'c' }, 'bounds nothing'],
    [{ scope: 's', kind: 'bounds', arg: 'c', min: 30, max: 20 }, '"min" above "max"'],
    [{ scope: 's', kind: 'bounds', arg: 'c', oneOf: [] }, '"oneOf"'],
  ])('parseLimits refuses %j', (limit, why) => {
    expect(() => parseLimits([limit], ['s'])).toThrow(why.replace('lacks ', ''));
  });

  it('an enforcer refuses a limit whose fields are bad even if its kind is known (full parse before use)', async () => {
    const { set } = await setup([{ scope: 'thermostat:write', kind: 'rate', max: 'three', per: '1h' }]);
    await expect(codeOf(set(20))).resolves.toBe('INVALID_CLAIM');
  });
});

describe('the guard enforces limits offline', () => {
  it('without an enforcer, a call a limit covers is refused (LIMITS_UNENFORCED) and audited; others run', async () => {
    const { set, guard, log } = await setup([RATE], { enforce: false });
    const tool = vi.fn();
    await expect(codeOf(guard.run('thermostat.set', ['thermostat:write'], tool))).resolves.toBe('LIMITS_UNENFORCED');
    expect(tool).not.toHaveBeenCalled();
    await expect(guard.run('sensor.read', ['sensor:read'], () => 21)).resolves.toBe(21);
    await expect(codeOf(set(20))).resolves.toBe('LIMITS_UNENFORCED');
    expect((await log.entries()).map((e) => e.result)).toEqual(['auth_failure', 'success', 'auth_failure']);
  });

  it('rate: the 3rd call in the hour runs, the 4th is refused with the window that frees it; after an hour it runs', async () => {
    const { set, log, clock, guard } = await setup([RATE]);
    for (let i = 0; i < 3; i++) {
      await expect(set(20)).resolves.toBe('set');
      clock.t += 60_000;
    }
    const error = await set(20).catch((e) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', used: 3, remaining: 0, index: 0, resetAt: new Date(NOW + HOUR).toISOString() });
    const entries = await log.entries();
    expect(entries.at(-1)).toMatchObject({ result: 'scope_violation', metadata: { error: 'LIMIT_EXCEEDED' } });
    expect(await guard.usage()).toEqual([{ limit: RATE, used: 3, remaining: 0, resetAt: new Date(NOW + HOUR).toISOString() }]);
    clock.t = NOW + HOUR; // the first call leaves the window (at - per, at]
    await expect(set(20)).resolves.toBe('set');
    await expect(codeOf(set(20))).resolves.toBe('LIMIT_EXCEEDED');
  });

  it('rate: moving the clock back does not reopen the window', async () => {
    const { set, clock } = await setup([RATE]);
    for (let i = 0; i < 3; i++) await set(20);
    clock.t = NOW - 2 * HOUR;
    await expect(codeOf(set(20))).resolves.toBe('LIMIT_EXCEEDED');
    clock.t = NOW + HOUR - 1; // still inside the first call's window
    await expect(codeOf(set(20))).resolves.toBe('LIMIT_EXCEEDED');
  });

  it('total: the last allowed call runs, the next is refused for good, with no reset time', async () => {
    const { set, clock } = await setup([{ scope: 'thermostat:write', kind: 'total', max: 2 }]);
    await set(20);
    await set(21);
    clock.t += 20 * 86_400_000;
    const error = await set(22).catch((e) => e);
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', used: 2, remaining: 0, resetAt: null });
  });

  it('budget: sums an argument up to max exactly; a missing, negative or non-numeric amount is refused', async () => {
    const { guard } = await setup([{ scope: 'thermostat:write', kind: 'budget', sum: 'amount', max: 50, unit: 'EUR' }]);
    const pay = (amount: unknown) => guard.run('pay', ['thermostat:write'], () => 'paid', { args: { amount } });
    await expect(pay(20)).resolves.toBe('paid');
    await expect(pay(30)).resolves.toBe('paid'); // exactly 50
    await expect(codeOf(pay(0.01))).resolves.toBe('LIMIT_EXCEEDED');
    await expect(pay(0)).resolves.toBe('paid');
    for (const bad of [undefined, -5, '10', Number.NaN]) await expect(codeOf(pay(bad))).resolves.toBe('LIMIT_EXCEEDED');
    expect(await guard.usage()).toMatchObject([{ used: 50, remaining: 0, resetAt: null }]);
  });

  it('budget per window: spent amounts come back as they leave the window', async () => {
    const { guard, clock } = await setup([{ scope: 'thermostat:write', kind: 'budget', sum: 'amount', max: 10, per: '1d' }]);
    const pay = (amount: number) => guard.run('pay', ['thermostat:write'], () => 'paid', { args: { amount } });
    await pay(6);
    clock.t += HOUR;
    await pay(4);
    const error = await pay(5).catch((e) => e);
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', used: 10, resetAt: new Date(NOW + 86_400_000).toISOString() });
    clock.t = NOW + 86_400_000;
    await expect(pay(5)).resolves.toBe('paid'); // the 6 left; 4 + 5 <= 10
  });

  it('bounds: the edges run, one step outside is refused, and the value is recorded in limitArgs', async () => {
    const both = await setup([{ scope: 'thermostat:write', kind: 'bounds', arg: 'celsius', min: 16, max: 26 }, { scope: 'thermostat:write', kind: 'bounds', arg: 'mode', oneOf: ['heat', 'off'] }]);
    expect(await codeOf(both.set(16))).toBe('LIMIT_EXCEEDED'); // mode missing
    await expect(both.guard.run('thermostat.set', ['thermostat:write'], () => 'set', { args: { celsius: 16, mode: 'heat', other: 'not recorded' } })).resolves.toBe('set');
    expect((await both.log.entries())[1]).toMatchObject({ result: 'success', metadata: { limitArgs: { celsius: 16, mode: 'heat' } } });
    expect((await both.log.entries())[1]!.metadata!.limitArgs).not.toHaveProperty('other');
    const { guard: g2, log } = await setup([{ scope: 'thermostat:write', kind: 'bounds', arg: 'celsius', min: 16, max: 26 }]);
    const set2 = (celsius: unknown) => g2.run('thermostat.set', ['thermostat:write'], () => 'set', { args: { celsius } });
    await expect(set2(16)).resolves.toBe('set');
    await expect(set2(26)).resolves.toBe('set');
    for (const bad of [15.99, 26.01, '20', undefined, Number.POSITIVE_INFINITY]) await expect(codeOf(set2(bad))).resolves.toBe('LIMIT_EXCEEDED');
    expect((await log.entries()).map((e) => e.result)).toEqual(['success', 'success', ...Array(5).fill('scope_violation')]);
  });

  it('a tool that throws still used its call (it ran)', async () => {
    const { guard } = await setup([{ scope: 'thermostat:write', kind: 'total', max: 1 }]);
    await expect(codeOf(guard.run('thermostat.set', ['thermostat:write'], () => { throw new Error('relay stuck'); }))).resolves.toBe('EXECUTION_ERROR');
    await expect(codeOf(guard.run('thermostat.set', ['thermostat:write'], () => 'set'))).resolves.toBe('LIMIT_EXCEEDED');
  });

  it('a call still running counts in every window until its entry is written (the authority counts it at that time)', async () => {
    const { guard, clock, log } = await setup([{ scope: 'thermostat:write', kind: 'rate', max: 1, per: '1h' }]);
    let finish!: () => void;
    const slow = guard.run('thermostat.set', ['thermostat:write'], () => new Promise<void>((r) => (finish = r)));
    await new Promise((r) => setTimeout(r, 0));
    clock.t += HOUR + 500; // an hour after the slow call started, it is still running
    await expect(codeOf(guard.run('thermostat.set', ['thermostat:write'], () => 'set'))).resolves.toBe('LIMIT_EXCEEDED');
    finish();
    await slow;
    const { createLimitLedger } = await import('../src/index.js');
    const authority = createLimitLedger([{ scope: 'thermostat:write', kind: 'rate', max: 1, per: '1h' }]);
    expect((await log.entries()).map((e) => authority.record(e))).toEqual([null, null]);
  });

  it('usage survives a restart: a new guard on the same trail counts what the old one did', async () => {
    const store = createMemoryAuditStore();
    const clock = { t: NOW };
    const first = await setup([RATE], { store, clock });
    await first.set(20);
    await first.set(21);
    await first.log.close();
    const second = await setup([RATE], { store, clock });
    await expect(second.set(22)).resolves.toBe('set');
    await expect(codeOf(second.set(23))).resolves.toBe('LIMIT_EXCEEDED');
    expect(await second.guard.usage()).toMatchObject([{ used: 3, remaining: 0 }]);
  });

  it('64 concurrent calls racing one budget: exactly max succeed', async () => {
    const { guard, log } = await setup([{ scope: 'thermostat:write', kind: 'budget', sum: 'amount', max: 10 }]);
    const outcomes = await Promise.all(
      Array.from({ length: 64 }, () => codeOf(guard.run('pay', ['thermostat:write'], async () => { await new Promise((r) => setTimeout(r, 1)); return 1; }, { args: { amount: 1 } }))),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 'LIMIT_EXCEEDED')).toHaveLength(54);
    expect((await log.entries()).filter((e) => e.result === 'success')).toHaveLength(10);
  });

  it('a call whose entry would break the entry rules gives its reserved use back', async () => {
    const { guard } = await setup([{ scope: 'thermostat:write', kind: 'total', max: 1 }]);
    await expect(codeOf(guard.run('thermostat.set', ['thermostat:write'], () => 'set', { metadata: { big: 'x'.repeat(100_000) } }))).resolves.not.toBe('ok');
    await expect(guard.run('thermostat.set', ['thermostat:write'], () => 'set')).resolves.toBe('set');
  });
});
