import { afterEach, describe, expect, it, vi } from 'vitest';
import vectors from './vectors/interop-vectors.json';
import {
  GrantRevokedError,
  OfflineExpiredError,
  ScopeViolationError,
  TokenExpiredError,
  ToolExecutionError,
  REVOCATION_META,
  createAgentGuard,
  verifyChain,
} from '../src/index.js';
import { NOW, NOW_S } from './helpers/tokens.js';
import { memoryLog, testBundle } from './helpers/bundle.js';

afterEach(() => vi.restoreAllMocks());

async function setup(options: { claims?: Record<string, unknown>; offlineExpiresAt?: string } = {}) {
  let now = NOW;
  const clock = { get: () => now, set: (t: number) => (now = t) };
  const bundle = await testBundle(options);
  const { log } = memoryLog(clock.get);
  const guard = createAgentGuard({ bundle, auditLog: log, clock: clock.get });
  return { bundle, log, guard, clock };
}

describe('createAgentGuard', () => {
  it('an allowed call runs the tool and appends success with the bundle identity', async () => {
    const { guard, log } = await setup();
    const tool = vi.fn(async (grant: { agentDID: string }) => `ok for ${grant.agentDID}`);
    await expect(guard.run('sensor.read', ['sensor:read'], tool, { metadata: { room: 'kitchen' } })).resolves.toBe('ok for did:key:z6MkAgent');
    expect(tool).toHaveBeenCalledTimes(1);
    const [entry] = await log.entries();
    expect(entry).toMatchObject({ seq: 1, action: 'sensor.read', agentDID: 'did:key:z6MkAgent', grantId: 'grnt_test', scopes: ['sensor:read'], result: 'success', metadata: { room: 'kitchen' } });
  });

  it('a missing scope never runs the tool, throws ScopeViolationError and audits scope_violation with only bundle scopes', async () => {
    const { guard, log } = await setup();
    const tool = vi.fn();
    await expect(guard.run('email.send', ['email:send', 'sensor:read'], tool)).rejects.toBeInstanceOf(ScopeViolationError);
    expect(tool).not.toHaveBeenCalled();
    const [entry] = await log.entries();
    expect(entry).toMatchObject({ result: 'scope_violation', scopes: ['sensor:read'], metadata: { requestedScopes: ['email:send', 'sensor:read'], error: 'SCOPE_VIOLATION' } });
  });

  it('an expired token → auth_failure with the identity taken from the token claims', async () => {
    const { guard, log } = await setup({ claims: { exp: NOW_S - 3600 } });
    await expect(guard.authorize('sensor.read', ['sensor:read'])).rejects.toBeInstanceOf(TokenExpiredError);
    const [entry] = await log.entries();
    expect(entry).toMatchObject({ result: 'auth_failure', agentDID: 'did:key:z6MkAgent', grantId: 'grnt_test', metadata: { error: 'TOKEN_EXPIRED' } });
  });

  it('fails closed past offlineExpiresAt even though the token is still valid', async () => {
    const { guard, clock, log } = await setup();
    await expect(guard.authorize('sensor.read', ['sensor:read'])).resolves.toMatchObject({ agentDID: 'did:key:z6MkAgent' });
    clock.set(NOW + 3_600_001);
    const error = await guard.authorize('sensor.read', ['sensor:read']).catch((e) => e);
    expect(error).toBeInstanceOf(OfflineExpiredError);
    expect(error.code).toBe('OFFLINE_EXPIRED');
    expect((await log.entries()).map((e) => e.result)).toEqual(['success', 'auth_failure']);
  });

  it('an unparsable offlineExpiresAt fails closed', async () => {
    const { guard } = await setup({ offlineExpiresAt: 'soon' });
    await expect(guard.authorize('sensor.read', ['sensor:read'])).rejects.toMatchObject({ code: 'OFFLINE_EXPIRED' });
  });

  it('refuses once a sync recorded the revocation in the log, across a new guard on the same store', async () => {
    const { guard, log, bundle } = await setup();
    await guard.authorize('sensor.read', ['sensor:read']);
    await log.setMeta(REVOCATION_META, { bundleId: bundle.bundleId, revokedAt: '2026-11-22T10:00:00.000Z', reportedAt: new Date(NOW).toISOString() });
    const error = await guard.run('sensor.read', ['sensor:read'], () => 1).catch((e) => e);
    expect(error).toBeInstanceOf(GrantRevokedError);
    expect(error.revokedAt).toBe('2026-11-22T10:00:00.000Z');
    const again = createAgentGuard({ bundle, auditLog: log, clock: () => NOW });
    await expect(again.authorize('sensor.read', ['sensor:read'])).rejects.toMatchObject({ code: 'GRANT_REVOKED' });
    expect((await log.entries()).map((e) => e.result)).toEqual(['success', 'auth_failure', 'auth_failure']);
  });

  it('a tool that throws → execution_error entry and a typed ToolExecutionError with the cause', async () => {
    const { guard, log } = await setup();
    const boom = new RangeError('sensor offline');
    const error = await guard.run('sensor.read', ['sensor:read'], () => {
      throw boom;
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ToolExecutionError);
    expect(error.cause).toBe(boom);
    expect((await log.entries())[0]).toMatchObject({ result: 'execution_error', metadata: { error: 'RangeError' } });
  });

  it('clock floor: moving the clock back cannot extend the bundle or reorder entries', async () => {
    const { guard, clock, log } = await setup();
    clock.set(NOW + 3_600_000 + 10); // just past offlineExpiresAt
    await expect(guard.authorize('sensor.read', ['sensor:read'])).rejects.toBeInstanceOf(OfflineExpiredError);
    clock.set(NOW); // the user winds the clock back an hour
    expect(await guard.now()).toBe(NOW + 3_600_000 + 10);
    await expect(guard.authorize('sensor.read', ['sensor:read'])).rejects.toBeInstanceOf(OfflineExpiredError);
    const entries = await log.entries();
    expect(entries.map((e) => Date.parse(e.timestamp))).toEqual([NOW + 3_600_010, NOW + 3_600_010]);
  });

  it('wrap keeps the arguments and names the action after the function', async () => {
    const { guard, log } = await setup();
    const setThermostat = async (celsius: number) => ({ set: celsius });
    const guarded = guard.wrap(setThermostat, { requiredScopes: ['thermostat:write'] });
    await expect(guarded(21)).resolves.toEqual({ set: 21 });
    expect((await log.entries())[0]).toMatchObject({ action: 'setThermostat', scopes: ['thermostat:write'] });
  });

  it('refuses metadata that carries the grant token or a private key, before running or writing', async () => {
    const { guard, log, bundle } = await setup();
    const tool = vi.fn();
    await expect(guard.run('x', ['sensor:read'], tool, { metadata: { leak: bundle.grantToken } })).rejects.toBeInstanceOf(TypeError);
    await expect(guard.run('x', ['sensor:read'], tool, { metadata: { key: vectors.auditKey.privateKey } })).rejects.toBeInstanceOf(TypeError);
    expect(tool).not.toHaveBeenCalled();
    expect(await log.entries()).toEqual([]);
  });

  it('a mix of outcomes leaves one valid signed chain whose entries never name a scope outside the bundle', async () => {
    const { guard, log } = await setup();
    await guard.run('sensor.read', ['sensor:read'], () => 1);
    await guard.run('email.send', ['email:send'], () => 1).catch(() => {});
    await guard.run('thermostat.set', ['thermostat:write'], () => {
      throw new Error('x');
    }).catch(() => {});
    await guard.authorize('calendar.read', ['calendar:read']).catch(() => {});
    const entries = await log.entries();
    expect(entries.map((e) => e.result)).toEqual(['success', 'scope_violation', 'execution_error', 'scope_violation']);
    for (const e of entries) expect(e.scopes.every((s) => ['sensor:read', 'thermostat:write'].includes(s))).toBe(true);
    expect(await verifyChain(entries, { publicKey: vectors.auditKey.publicKey })).toEqual({ valid: true, count: 4 });
  });
});
