// Test-only: a consent bundle around the vector keys, with a token signed for the test.
import vectors from '../vectors/interop-vectors.json';
import { createMemoryAuditStore, createOfflineAuditLog } from '../../src/index.js';
import { NOW, NOW_S, grantClaims, signToken, snapshot } from './tokens.js';

export async function testBundle(overrides: { claims?: Record<string, unknown>; offlineExpiresAt?: string } = {}) {
  return {
    bundleId: 'cb_test',
    grantToken: await signToken(grantClaims({ exp: NOW_S + 86_400, ...overrides.claims })),
    jwksSnapshot: snapshot({ validUntil: new Date(NOW + 2 * 86_400_000).toISOString() }),
    offlineAuditKey: vectors.auditKey,
    checkpointAt: NOW - 3_600_000,
    syncEndpoint: 'http://127.0.0.1:1/v1/audit/offline-sync',
    offlineExpiresAt: overrides.offlineExpiresAt ?? new Date(NOW + 3_600_000).toISOString(),
  };
}

export function memoryLog(now: () => number = () => NOW) {
  const store = createMemoryAuditStore();
  return { store, log: createOfflineAuditLog({ signingKey: vectors.auditKey, store, now }) };
}
