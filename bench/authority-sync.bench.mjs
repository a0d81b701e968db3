// Authority ingest throughput over loopback HTTP: signed entries uploaded in sequential
// batches (as one device's sync would), PGlite on disk and PostgreSQL side by side.
// Run: npm run build && node bench/authority-sync.bench.mjs [entries=100000]
// PostgreSQL rows need PG_URL (an empty database the bench may migrate); otherwise skipped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { computeEntryHash, signEntryHash, verifyChain } from '../dist/node.js';
import { generateApiKey, startAuthority } from '../dist/authority.js';

const N = Number(process.argv[2] ?? 100_000);
const BATCHES = [100, 1000];

async function importPrivateKey(pem) {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return crypto.subtle.importKey('pkcs8', der, { name: 'Ed25519' }, false, ['sign']);
}

/** N entries for a bundle, signed with its audit key (outside the timed part). */
async function entriesFor(bundle) {
  const { agt, grnt, scp } = decodeJwt(bundle.grantToken);
  const key = await importPrivateKey(bundle.offlineAuditKey.privateKey);
  const out = [];
  let prevHash = '0000000000000000';
  for (let seq = 1; seq <= N; seq++) {
    const base = {
      seq,
      timestamp: new Date(Date.UTC(2026, 0, 1) + seq).toISOString(),
      action: seq % 3 ? 'tool:sensor.read' : 'tool:thermostat.set',
      agentDID: agt,
      grantId: grnt,
      scopes: scp,
      result: seq % 50 ? 'success' : 'scope_violation',
      ...(seq % 2 ? { metadata: { reading: 20 + (seq % 10) / 10, unit: 'C' } } : {}),
      prevHash,
    };
    const hash = await computeEntryHash(base);
    out.push({ ...base, hash, signature: await signEntryHash(key, hash) });
    prevHash = hash;
  }
  return out;
}

async function run(engine, location) {
  const apiKey = generateApiKey();
  const server = await startAuthority({ ...location, apiKey, rateLimits: false });
  const call = (path, body) =>
    fetch(`${server.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).then((r) => r.json());
  const rows = [];
  try {
    const { agentId } = await call('/v1/agents', { name: 'bench', scopes: ['sensor:read'] });
    for (const batch of BATCHES) {
      const bundle = await call('/v1/consent-bundles', { agentId, userId: 'bench', scopes: ['sensor:read'] });
      const entries = await entriesFor(bundle);
      const t0 = performance.now();
      for (let i = 0; i < entries.length; i += batch) {
        const res = await call('/v1/audit/offline-sync', { bundleId: bundle.bundleId, entries: entries.slice(i, i + batch) });
        if (res.accepted !== Math.min(batch, entries.length - i)) throw new Error(`batch at ${i}: ${JSON.stringify(res).slice(0, 300)}`);
      }
      const ms = performance.now() - t0;
      // Read back and re-verify, so the number counts only entries that really landed intact.
      const stored = [];
      for (let after = 0; ; ) {
        const page = await call(`/v1/consent-bundles/${bundle.bundleId}/audit?afterSeq=${after}&limit=1000`);
        stored.push(...page.entries);
        if (!page.hasMore) break;
        after = page.nextAfterSeq;
      }
      const check = await verifyChain(stored, { publicKey: bundle.offlineAuditKey.publicKey });
      if (!check.valid || check.count !== N) throw new Error(`stored chain did not verify: ${JSON.stringify(check)}`);
      rows.push({ engine, batch, entries: N, seconds: +(ms / 1000).toFixed(2), 'entries/s': Math.round((N / ms) * 1000) });
    }
  } finally {
    await server.close();
  }
  return rows;
}

const dir = mkdtempSync(join(tmpdir(), 'oc-bench-'));
const rows = [];
try {
  rows.push(...(await run('pglite (disk)', { dataDir: join(dir, 'db') })));
  if (process.env.PG_URL) rows.push(...(await run('postgresql', { databaseUrl: process.env.PG_URL })));
  else rows.push({ engine: 'postgresql', batch: '-', entries: 0, seconds: '-', 'entries/s': 'skipped: set PG_URL' });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const base = rows[0]['entries/s'];
console.log(`node ${process.version}, ${new Date().toISOString()}, ${N} entries per run, sequential batches over loopback HTTP`);
console.table(rows.map((r) => ({ ...r, 'x pglite b100': typeof r['entries/s'] === 'number' ? +(r['entries/s'] / base).toFixed(2) : '-' })));
