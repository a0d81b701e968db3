// A sync storm while the authority process is SIGKILLed and restarted (real processes, PGlite
// on disk and PostgreSQL): several devices upload at once, the authority dies with requests in
// flight, comes back on the same port, and each device's next sync completes — the authority
// then holds every device's log exactly once, and each stored chain verifies.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConsentBundle, createOfflineAuditLog, syncAuditLog, verifyChain, type ConsentBundle, type OfflineAuditLog, type SyncResult } from '../../../src/node.js';
import { ENGINES, type EngineName } from '../authority/harness.js';
import { authorityProcesses, call, kill, storedEntries, type Running } from '../e2e/authority-child.js';

const DEVICES = 6;
const ENTRIES = 300; // per device
const BATCH = 20;

describe.each(ENGINES)('authority SIGKILLed and restarted during a sync storm on %s (real processes)', (engine: EngineName) => {
  const { dir, apiKey, start } = authorityProcesses(engine, 'oc-storm');
  let server: Running | undefined;

  it(`${DEVICES} devices × ${ENTRIES} entries: every device's next sync completes, nothing lost or duplicated`, async () => {
    server = await start();
    const { port, url } = server;
    const agentId = (await call(url, apiKey, 'POST', '/v1/agents', { name: 'storm', scopes: ['sensor:read'] })).body.agentId;
    const devices: { bundle: ConsentBundle; log: OfflineAuditLog }[] = [];
    for (let d = 0; d < DEVICES; d++) {
      const bundle = await createConsentBundle({ apiKey, baseUrl: url, agentId, userId: `user_${d}`, scopes: ['sensor:read'], deviceId: `dev_${d}` });
      const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: join(dir, `device-${d}.jsonl`), durability: 'none' });
      const { agt, grnt } = JSON.parse(Buffer.from(bundle.grantToken.split('.')[1]!, 'base64url').toString());
      await Promise.all(Array.from({ length: ENTRIES }, (_, i) =>
        log.append({ action: 'sensor.read', agentDID: agt, grantId: grnt, scopes: ['sensor:read'], result: 'success', metadata: { d, i } })));
      devices.push({ bundle, log });
    }

    // The storm: all devices at once; after 12 acknowledged batches in all, the authority is
    // killed with uploads in flight and restarted on the same port 300 ms later.
    let acked = 0;
    let restarted: Promise<void> | undefined;
    const restart = async () => {
      await kill(server!);
      server = undefined;
      await new Promise((r) => setTimeout(r, 300));
      server = await start(port);
    };
    const sync = (d: (typeof devices)[number], onProgress?: () => void): Promise<SyncResult> =>
      syncAuditLog(d.log, { endpoint: d.bundle.syncEndpoint, apiKey, bundleId: d.bundle.bundleId, deviceId: `dev_${devices.indexOf(d)}`, batchSize: BATCH, retryDelaysMs: [50, 100], ...(onProgress ? { onProgress } : {}) });
    const storm = await Promise.all(devices.map((d) => sync(d, () => {
      if (++acked === 12) restarted = restart();
    })));
    await restarted;
    expect(restarted).toBeDefined();
    const cut = storm.filter((r) => r.hasErrors);
    expect(cut.length).toBeGreaterThan(0); // the kill really hit the storm
    for (const r of cut) expect(['NETWORK_ERROR', 'HTTP_ERROR']).toContain(r.errors[0]!.code); // retryable, nothing else
    const unsyncedAfterStorm = await Promise.all(devices.map((d) => d.log.unsyncedCount()));
    expect(unsyncedAfterStorm.some((n) => n > 0)).toBe(true);

    // Each device's next sync completes (a device that finished in the storm has nothing new: checkRevocation asks anyway).
    const next = await Promise.all(devices.map((d) => syncAuditLog(d.log, { endpoint: d.bundle.syncEndpoint, apiKey, bundleId: d.bundle.bundleId, deviceId: `dev_${devices.indexOf(d)}`, batchSize: BATCH, retryDelaysMs: [50, 100], checkRevocation: true })));
    for (const r of next) expect(r).toMatchObject({ hasErrors: false, revocationStatus: 'valid' });
    for (const d of devices) {
      expect(await d.log.unsyncedCount()).toBe(0);
      const mine = await d.log.entries();
      const stored = await storedEntries(server!.url, apiKey, d.bundle.bundleId);
      // Exactly once: the same seqs and hashes as the device's log, none missing, none twice.
      expect(stored.map((e) => `${e.seq}:${e.hash}`)).toEqual(mine.map((e) => `${e.seq}:${e.hash}`));
      expect(await verifyChain(stored, { publicKey: d.bundle.offlineAuditKey.publicKey })).toEqual({ valid: true, count: ENTRIES });
      await d.log.close();
    }
  }, 120_000);
});
