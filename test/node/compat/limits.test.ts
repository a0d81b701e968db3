// A token with limits stays an upstream token (issue 18): @grantex/gemma 0.1.1's verifier accepts
// it and ignores the namespaced claim; its adapters, given our guard-less upstream options, still
// get the limits enforced by reading the claim from the token.
import { describe, expect, it } from 'vitest';
import { liveSnapshot, liveToken, openStack, ours, upstream } from './stacks.js';

const LIMITS = [{ scope: 'thermostat:write', kind: 'rate', max: 1, per: '1h' }];

describe('tokens with limits against upstream', () => {
  it("upstream's verifier accepts a token with the limits claim and reports the same grant as without it", async () => {
    const verifier = upstream.createOfflineVerifier({ jwksSnapshot: liveSnapshot() });
    const limited = await verifier.verify(await liveToken({ [ours.LIMITS_CLAIM]: LIMITS }));
    const plain = await verifier.verify(await liveToken());
    expect(limited).toEqual(plain);
    expect(limited).not.toHaveProperty('limits');
  });

  it("ours reports the limits upstream's ignores", async () => {
    const grant = await ours.createOfflineVerifier({ jwksSnapshot: liveSnapshot() }).verify(await liveToken({ [ours.LIMITS_CLAIM]: LIMITS }));
    expect(grant.limits).toEqual(LIMITS);
  });

  it("our guard on upstream's verifier reads the limits from the token it verified, and enforces them", async () => {
    const stack = openStack('ours');
    try {
      const grantToken = await liveToken({ [ours.LIMITS_CLAIM]: LIMITS });
      const bundle = { bundleId: 'b', grantToken, jwksSnapshot: liveSnapshot(), offlineExpiresAt: new Date(Date.now() + 3_600_000).toISOString() };
      const guard = ours.createAgentGuard({ bundle, auditLog: stack.auditLog as never, verifier: upstream.createOfflineVerifier({ jwksSnapshot: liveSnapshot() }) as never, limits: ours.enforceLimits });
      await expect(guard.run('heat', ['thermostat:write'], () => 1)).resolves.toBe(1);
      await expect(guard.run('heat', ['thermostat:write'], () => 1)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
      await expect(guard.run('read', ['sensor:read'], () => 2)).resolves.toBe(2);
      const unenforced = ours.createAgentGuard({ bundle, auditLog: stack.auditLog as never, verifier: upstream.createOfflineVerifier({ jwksSnapshot: liveSnapshot() }) as never });
      await expect(unenforced.run('heat', ['thermostat:write'], () => 1)).rejects.toMatchObject({ code: 'LIMITS_UNENFORCED' });
    } finally {
      await stack.close();
    }
  });
});
