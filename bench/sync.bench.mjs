// Sync throughput: N entries from a file log, through syncAuditLog, to the authority on
// loopback — PGlite always, PostgreSQL when PG_URL names an empty database.
// Run: npm run bench:sync -- [N]   (default 100000)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsentBundle, createOfflineAuditLog, syncAuditLog } from '../dist/node.js';
import { generateApiKey, startAuthority } from '../dist/authority.js';
import { saveResults } from './results.mjs';

const N = Number(process.argv[2] ?? 100_000);
const engines = [['PGlite (disk)', (dir) => ({ dataDir: join(dir, 'db') })]];
if (process.env.PG_URL) engines.push(['PostgreSQL', () => ({ databaseUrl: process.env.PG_URL })]);

const rows = [];
for (const [name, location] of engines) {
  const dir = mkdtempSync(join(tmpdir(), 'oc-sync-bench-'));
  const apiKey = generateApiKey();
  const server = await startAuthority({ ...location(dir), apiKey, rateLimits: false });
  try {
    const agent = await (await fetch(`${server.url}/v1/agents`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', scopes: ['sensor:read'] }) })).json();
    const bundle = await createConsentBundle({ apiKey, baseUrl: server.url, agentId: agent.agentId, userId: 'u', scopes: ['sensor:read'] });
    const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: join(dir, 'audit.jsonl'), durability: 'none' });
    const agentDID = JSON.parse(Buffer.from(bundle.grantToken.split('.')[1], 'base64url')).agt;
    const grantId = JSON.parse(Buffer.from(bundle.grantToken.split('.')[1], 'base64url')).grnt;
    const t0 = performance.now();
    for (let i = 0; i < N; i += 1000) {
      await Promise.all(Array.from({ length: Math.min(1000, N - i) }, (_, j) => log.append({ action: 'sensor.read', agentDID, grantId, scopes: ['sensor:read'], result: 'success', metadata: { i: i + j } })));
    }
    const writeMs = performance.now() - t0;
    for (const batchSize of [1000]) {
      const t1 = performance.now();
      const result = await syncAuditLog(log, { endpoint: bundle.syncEndpoint, apiKey, bundleId: bundle.bundleId, batchSize });
      const ms = performance.now() - t1;
      if (result.hasErrors || result.syncedCount !== N) throw new Error(`sync failed: ${JSON.stringify(result.errors.slice(0, 3))}`);
      rows.push({ engine: name, entries: N, batchSize, 'log write s': +(writeMs / 1000).toFixed(1), 'sync s': +(ms / 1000).toFixed(1), 'entries/s': Math.round(N / (ms / 1000)) });
    }
    await log.close();
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`node ${process.version}`);
console.table(rows);
saveResults('sync', rows);
