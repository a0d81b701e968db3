// Sync throughput: N entries from a file log to the authority on loopback, through our
// syncAuditLog and, side by side on the same authority, through @grantex/gemma's (the file
// formats are the same, so both read logs this library wrote). PGlite always, PostgreSQL
// when PG_URL names an empty database. Run: npm run bench:sync -- [N]   (default 100000)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOfflineAuditLog as upstreamLog, syncAuditLog as upstreamSync } from '@grantex/gemma';
import { createConsentBundle, createOfflineAuditLog, syncAuditLog } from '../dist/node.js';
import { generateApiKey, startAuthority } from '../dist/authority.js';
import { saveResults } from './results.mjs';

const N = Number(process.argv[2] ?? 100_000);
const BATCH = 1000;
const engines = [['PGlite (disk)', (dir) => ({ dataDir: join(dir, 'db') })]];
if (process.env.PG_URL) engines.push(['PostgreSQL', () => ({ databaseUrl: process.env.PG_URL })]);

/** A fresh bundle on the authority and a file log of N signed entries for it, written by this library. */
async function device(server, apiKey, agentId, path) {
  const bundle = await createConsentBundle({ apiKey, baseUrl: server.url, agentId, userId: 'u', scopes: ['sensor:read'] });
  const { agt: agentDID, grnt: grantId } = JSON.parse(Buffer.from(bundle.grantToken.split('.')[1], 'base64url'));
  const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: path, durability: 'none' });
  const t0 = performance.now();
  for (let i = 0; i < N; i += 1000) {
    await Promise.all(Array.from({ length: Math.min(1000, N - i) }, (_, j) => log.append({ action: 'sensor.read', agentDID, grantId, scopes: ['sensor:read'], result: 'success', metadata: { i: i + j } })));
  }
  const writeS = (performance.now() - t0) / 1000;
  await log.close();
  return { bundle, writeS };
}

const rows = [];
for (const [name, location] of engines) {
  const dir = mkdtempSync(join(tmpdir(), 'oc-sync-bench-'));
  const apiKey = generateApiKey();
  const server = await startAuthority({ ...location(dir), apiKey, rateLimits: false });
  try {
    const agent = await (await fetch(`${server.url}/v1/agents`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', scopes: ['sensor:read'] }) })).json();
    const runs = [
      ['offline-consent syncAuditLog', async (bundle, path) => {
        const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: path, durability: 'none' });
        const result = await syncAuditLog(log, { endpoint: bundle.syncEndpoint, apiKey, bundleId: bundle.bundleId, batchSize: BATCH });
        await log.close();
        return result;
      }],
      ['@grantex/gemma syncAuditLog', (bundle, path) =>
        upstreamSync(upstreamLog({ signingKey: bundle.offlineAuditKey, logPath: path }), { endpoint: server.url, apiKey, bundleId: bundle.bundleId, batchSize: BATCH })],
    ];
    for (const [client, sync] of runs) {
      const path = join(dir, `${client.split(' ')[0].replace(/\W/g, '')}.jsonl`);
      const { bundle, writeS } = await device(server, apiKey, agent.agentId, path);
      const t1 = performance.now();
      const result = await sync(bundle, path);
      const s = (performance.now() - t1) / 1000;
      if (result.hasErrors || result.syncedCount !== N) throw new Error(`${client} failed: ${JSON.stringify(result.errors.slice(0, 3))}`);
      rows.push({ engine: name, client, entries: N, batchSize: BATCH, 'log write s': +writeS.toFixed(1), 'sync s': +s.toFixed(1), 'entries/s': Math.round(N / s) });
    }
    const upstream = rows.at(-1)['entries/s'];
    for (const r of rows.slice(-2)) r['x upstream'] = +(r['entries/s'] / upstream).toFixed(2);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`node ${process.version}`);
console.table(rows);
saveResults('sync', rows);
