// A device's whole life against the real authority (its own process, PGlite on disk and
// PostgreSQL): provision → store sealed → offline → load → guarded actions in a file log → sync (with the
// authority SIGKILLed mid-sync and restarted) → refresh with a rotated audit key → revoke
// → sync → the guard refuses, also after a restart.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  GrantRevokedError,
  createConsentBundle,
  createAgentGuard,
  loadBundle,
  refreshBundle,
  storeBundle,
  createOfflineAuditLog,
  createOfflineVerifier,
  syncAuditLog,
  verifyChain,
  type SignedAuditEntry,
} from '../../../src/node.js';
import { ENGINES, type EngineName } from '../authority/harness.js';
import { authorityProcesses, call, kill, type Running } from './authority-child.js';

describe.each(ENGINES)('device lifecycle against the authority process on %s', (engine: EngineName) => {
  const { dir, apiKey, start } = authorityProcesses(engine, 'oc-e2e');
  let server: Running | undefined;

  it('runs offline, survives a killed authority mid-sync, refreshes, and halts on revocation', async () => {
    server = await start();
    const { port } = server;
    const agentId = (await call(server.url, apiKey, 'POST', '/v1/agents', { name: 'pi', scopes: ['sensor:read', 'thermostat:write', 'email:send'] })).body.agentId;
    const issued = await createConsentBundle({ apiKey, baseUrl: server.url, agentId, userId: 'user_alice', scopes: ['sensor:read', 'thermostat:write'], offlineTTL: '24h' });
    const bundlePath = join(dir, 'bundle.bin');
    await storeBundle(issued, bundlePath, 'device passphrase');

    // Offline from here: the authority is gone.
    await kill(server);
    server = undefined;
    let bundle = await loadBundle(bundlePath, 'device passphrase');
    expect(bundle).toEqual(issued);
    const logPath = join(dir, 'audit.jsonl');
    let log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath, durability: 'none' });
    let guard = createAgentGuard({ bundle, auditLog: log });
    await expect(createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot }).verify(bundle.grantToken)).resolves.toMatchObject({ scopes: ['sensor:read', 'thermostat:write'] });
    for (let i = 0; i < 120; i++) {
      if (i % 40 === 7) await guard.run('email.send', ['email:send'], () => 'sent').catch(() => {});
      else if (i % 40 === 9) await guard.run('thermostat.set', ['thermostat:write'], () => { throw new Error('relay stuck'); }).catch(() => {});
      else await guard.run('sensor.read', ['sensor:read'], () => 21.5, { metadata: { i } });
    }
    const total = (await log.head())!.seq;
    expect(total).toBe(120);

    // Online again; the authority dies after the third batch and comes back on the same port.
    server = await start(port);
    let batches = 0;
    const first = await syncAuditLog(log, {
      endpoint: server.url,
      apiKey,
      bundleId: bundle.bundleId,
      batchSize: 10,
      retryDelaysMs: [20, 40],
      onProgress: () => {
        if (++batches === 3) void kill(server!);
      },
    });
    expect(first.hasErrors).toBe(true);
    expect(first.errors[0]!.code).toBe('NETWORK_ERROR');
    const syncedBefore = total - (await log.unsyncedCount());
    expect(syncedBefore).toBeGreaterThanOrEqual(30);
    expect(syncedBefore).toBeLessThan(total);

    server = await start(port);
    const second = await syncAuditLog(log, { endpoint: bundle.syncEndpoint.replace(/:\d+\//, `:${port}/`), apiKey, bundleId: bundle.bundleId });
    expect(second).toMatchObject({ hasErrors: false, revocationStatus: 'valid' });
    expect(await log.unsyncedCount()).toBe(0);

    // The authority holds each entry exactly once, and they re-verify with the bundle key.
    let stored = (await call(server.url, apiKey, 'GET', `/v1/consent-bundles/${bundle.bundleId}/audit`)).body.entries as SignedAuditEntry[];
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(await verifyChain(stored, { publicKey: bundle.offlineAuditKey.publicKey })).toEqual({ valid: true, count: total });
    expect(stored.filter((e) => e.result !== 'success').map((e) => e.result)).toEqual(['scope_violation', 'execution_error', 'scope_violation', 'execution_error', 'scope_violation', 'execution_error']);

    // Replaying an already synced batch is accepted without duplicates.
    const replay = await call(server.url, apiKey, 'POST', '/v1/audit/offline-sync', { bundleId: bundle.bundleId, entries: stored.slice(0, 50).map(({ id: _i, syncedAt: _s, ...e }: any) => e) });
    expect(replay.status).toBe(200);
    expect((await call(server.url, apiKey, 'GET', `/v1/consent-bundles/${bundle.bundleId}/audit`)).body.entries.length).toBe(total);

    // Refresh: a new token and a rotated audit key; the same log file continues the chain.
    const next = await refreshBundle(bundle, apiKey, server.url);
    expect(next.offlineAuditKey.publicKey).not.toBe(bundle.offlineAuditKey.publicKey);
    await log.close();
    bundle = next;
    await storeBundle(bundle, bundlePath, 'device passphrase');
    log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath, durability: 'none' });
    guard = createAgentGuard({ bundle, auditLog: log });
    await guard.run('sensor.read', ['sensor:read'], () => 22);
    expect(await syncAuditLog(log, { endpoint: server.url, apiKey, bundleId: bundle.bundleId })).toMatchObject({ syncedCount: 1, hasErrors: false });

    // A forged signature in the file is rejected by the authority at exactly that seq.
    await guard.run('sensor.read', ['sensor:read'], () => 23);
    await guard.run('sensor.read', ['sensor:read'], () => 24);
    await log.close();
    const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n');
    const forged = JSON.parse(lines[lines.length - 2]!);
    forged.signature = forged.signature.replace(/^./, (c: string) => (c === 'a' ? 'b' : 'a'));
    lines[lines.length - 2] = JSON.stringify(forged);
    writeFileSync(logPath, `${lines.join('\n')}\n`);
    log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath, durability: 'none' });
    const rejected = await syncAuditLog(log, { endpoint: server.url, apiKey, bundleId: bundle.bundleId });
    expect(rejected.errors).toContainEqual(expect.objectContaining({ seq: forged.seq, code: 'INVALID_SIGNATURE' }));
    expect(await log.unsyncedCount()).toBe(2);

    // Revocation reaches the device at the next sync; the guard halts, also after a restart.
    expect((await call(server.url, apiKey, 'POST', `/v1/consent-bundles/${bundle.bundleId}/revoke`, { revokeGrant: true })).status).toBe(200);
    const afterRevoke = await syncAuditLog(log, { endpoint: server.url, apiKey, bundleId: bundle.bundleId });
    expect(afterRevoke.revocationStatus).toBe('revoked');
    guard = createAgentGuard({ bundle, auditLog: log });
    await expect(guard.run('sensor.read', ['sensor:read'], () => 25)).rejects.toBeInstanceOf(GrantRevokedError);
    await log.close();
    const reopened = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath, durability: 'none' });
    await expect(createAgentGuard({ bundle, auditLog: reopened }).authorize('sensor.read', ['sensor:read'])).rejects.toMatchObject({ code: 'GRANT_REVOKED' });
    await reopened.close();
    await expect(refreshBundle(bundle, apiKey, server.url)).rejects.toMatchObject({ status: 409 });
    stored = (await call(server.url, apiKey, 'GET', `/v1/consent-bundles/${bundle.bundleId}/audit`)).body.entries;
    expect(stored.length).toBe(total + 1);
  }, 120_000);
});
