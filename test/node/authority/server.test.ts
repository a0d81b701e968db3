// The authority over real HTTP on loopback (startAuthority), on both engines: restarts keep
// state, and the upstream client (@grantex/gemma) works against it unmodified.
import {
  createConsentBundle,
  createOfflineAuditLog,
  createOfflineVerifier as upstreamVerifier,
  refreshBundle,
  syncAuditLog,
} from '@grantex/gemma';
import { decodeProtectedHeader } from 'jose';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfflineVerifier, verifyChain } from '../../../src/index.js';
import { generateApiKey, initAuthority, startAuthority, type StartAuthorityOptions } from '../../../src/authority/index.js';
import { headOf, signedEntries } from './entries.js';
import { ENGINES, createPostgresDatabase, type EngineName } from './harness.js';

/** A fetch-based client for one API key against a base URL. */
function http(url: string, apiKey: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
}

describe.each(ENGINES)('startAuthority over HTTP on %s', (engine: EngineName) => {
  const dirs: string[] = [];
  let location: StartAuthorityOptions;
  let dispose = async () => {};

  beforeAll(async () => {
    if (engine === 'pglite') {
      const dir = mkdtempSync(join(tmpdir(), 'oc-authority-'));
      dirs.push(dir);
      location = { dataDir: join(dir, 'db') };
    } else {
      const database = await createPostgresDatabase();
      location = { databaseUrl: database.url };
      dispose = database.drop;
    }
  });
  afterAll(async () => {
    await dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('end to end: create → verify offline → append → sync → revoke → sync → refresh, and state survives a restart', async () => {
    const apiKey = generateApiKey();
    process.env.OFFLINE_CONSENT_API_KEY = apiKey;
    let server = await startAuthority({ ...location, rateLimits: false }).finally(() => delete process.env.OFFLINE_CONSENT_API_KEY);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    let call = http(server.url, apiKey);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const agentId = (await call('POST', '/v1/agents', { name: 'pi', scopes: ['sensor:read'] })).body.agentId;
    const bundle = (await call('POST', '/v1/consent-bundles', { agentId, userId: 'user_alice', scopes: ['sensor:read'] })).body;
    expect(bundle.syncEndpoint).toBe(`${server.url}/v1/audit/offline-sync`);
    const kid = decodeProtectedHeader(bundle.grantToken).kid;
    await server.close();

    // Offline: the device verifies its grant and writes its trail with no server at all.
    const grant = await createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, requireScopes: ['sensor:read'] }).verify(bundle.grantToken);
    expect(grant.principalDID).toBe('user_alice');
    const entries = await signedEntries(bundle, 40);

    server = await startAuthority({ ...location, rateLimits: false }); // The key is in the database now.
    call = http(server.url, apiKey);
    expect((await fetch(`${server.url}/.well-known/jwks.json`).then((r) => r.json())).keys.map((k: any) => k.kid)).toContain(kid);
    const syncUrl = `${server.url}/v1/audit/offline-sync`;
    const first = await fetch(syncUrl, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ bundleId: bundle.bundleId, entries: entries.slice(0, 30) }),
    }).then((r) => r.json());
    expect(first).toMatchObject({ accepted: 30, revocationStatus: 'valid' });
    await call('POST', `/v1/consent-bundles/${bundle.bundleId}/revoke`, { revokeGrant: true });
    const second = await call('POST', '/v1/audit/offline-sync', { bundleId: bundle.bundleId, entries: entries.slice(30) });
    expect(second.body).toMatchObject({ accepted: 10, revocationStatus: 'revoked', revokedAt: expect.any(String) });
    expect((await call('POST', `/v1/consent-bundles/${bundle.bundleId}/refresh`)).body.code).toBe('BUNDLE_REVOKED');
    const stored = (await call('GET', `/v1/consent-bundles/${bundle.bundleId}/audit`)).body.entries;
    expect(await verifyChain(stored, { publicKey: bundle.offlineAuditKey.publicKey })).toEqual({ valid: true, count: 40 });
    await server.close();
    await expect(fetch(`${server.url}/health`)).rejects.toThrow(); // Really stopped.
  });

  it('@grantex/gemma createConsentBundle, createOfflineAuditLog, syncAuditLog and refreshBundle work unmodified', async () => {
    const { apiKey } = await initAuthority(location);
    const server = await startAuthority({ ...location, rateLimits: false });
    try {
      const call = http(server.url, apiKey);
      const agentId = (await call('POST', '/v1/agents', { name: 'gemma', scopes: ['sensor:read', 'thermostat:write'] })).body.agentId;
      const bundle = await createConsentBundle({ apiKey, baseUrl: server.url, agentId, userId: 'user_bob', scopes: ['sensor:read'] });
      const grant = await upstreamVerifier({ jwksSnapshot: bundle.jwksSnapshot, requireScopes: ['sensor:read'] }).verify(bundle.grantToken);
      const dir = mkdtempSync(join(tmpdir(), 'oc-gemma-'));
      dirs.push(dir);
      const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: join(dir, 'audit.jsonl') });
      for (let i = 0; i < 25; i++) {
        await log.append({
          action: i % 5 === 4 ? 'tool:thermostat.set' : 'tool:sensor.read',
          agentDID: grant.agentDID,
          grantId: grant.grantId,
          scopes: grant.scopes,
          result: i % 5 === 4 ? 'scope_violation' : 'success',
          ...(i % 2 ? { metadata: { reading: 20 + i / 10, unit: 'C' } } : {}),
        });
      }
      const result = await syncAuditLog(log, { endpoint: server.url, apiKey, bundleId: bundle.bundleId, batchSize: 10 });
      expect(result).toEqual({ syncedCount: 25, hasErrors: false, errors: [] });
      expect(await log.unsyncedCount()).toBe(0);
      const stored = (await call('GET', `/v1/consent-bundles/${bundle.bundleId}/audit`)).body.entries;
      expect(await verifyChain(stored, { publicKey: bundle.offlineAuditKey.publicKey })).toEqual({ valid: true, count: 25 });
      expect(stored.map((e: any) => e.hash)).toEqual((await log.entries()).map((e) => e.hash));
      const refreshed = await refreshBundle(bundle, apiKey, server.url);
      expect(refreshed.bundleId).toBe(bundle.bundleId);
      expect(refreshed.offlineAuditKey.publicKey).not.toBe(bundle.offlineAuditKey.publicKey);
      // A log continued with the rotated key keeps syncing.
      const continued = await signedEntries(refreshed as any, 5, headOf(stored));
      expect((await call('POST', '/v1/audit/offline-sync', { bundleId: bundle.bundleId, entries: continued })).body.accepted).toBe(5);
    } finally {
      await server.close();
    }
  });

  it('refuses to start with a short API key, and frees the port it had bound', async () => {
    const probe = await startAuthority({ ...location, rateLimits: false });
    const port = probe.port;
    await probe.close();
    await expect(startAuthority({ ...location, apiKey: 'short', port })).rejects.toThrow(/at least 24 characters/);
    const again = await startAuthority({ ...location, port });
    expect(again.port).toBe(port);
    await again.close();
  });
});
