// Console page times on a 100,000-entry trail (one entry in 1,000 flagged), over real HTTP: the
// bundles page, the first trail page, a page deep in (after seq 90,000), the last page, the
// flagged-only pages and the whole JSONL export; plus the query plans of the trail pages, to show
// they are index range scans (no COUNT, no OFFSET, no scan of the whole trail). The rows are
// inserted straight into audit_entries (unsigned: this measures reading, not sync).
// Run: npm run build && node bench/console.bench.mjs [entries=100000]
// PostgreSQL rows need PG_URL (an empty database the bench may migrate); otherwise skipped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey, openDatabase, startAuthority } from '../dist/authority.js';

const N = Number(process.argv[2] ?? 100_000);
const RUNS = 15;
const EXPORT_RUNS = 3;

/** Median and worst of `runs` timed GETs of `path` (after one warm-up), checking each answer is 200. */
async function time(url, cookie, path, runs = RUNS) {
  const ms = [];
  let bytes = 0;
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}${path}`, { headers: { cookie }, redirect: 'manual' });
    const body = await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    if (i > 0) ms.push(performance.now() - t0);
    bytes = body.byteLength;
  }
  ms.sort((a, b) => a - b);
  return { median: +ms[Math.floor(ms.length / 2)].toFixed(1), max: +ms[ms.length - 1].toFixed(1), bytes };
}

async function run(engine, location) {
  const db = await openDatabase(location);
  const apiKey = generateApiKey();
  const server = await startAuthority({ db, apiKey, rateLimits: false });
  const call = (path, body) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
  try {
    const { agentId } = await call('/v1/agents', { name: 'bench', scopes: ['sensor:read'] });
    // 60 bundles, so the bundles page lists a full page of 50 (each probing the flagged index).
    let bundle;
    for (let i = 0; i < 60; i++) bundle = await call('/v1/consent-bundles', { agentId, userId: `user-${i}`, scopes: ['sensor:read'] });
    const t0 = performance.now();
    await db.query(
      `INSERT INTO audit_entries (bundle_id, seq, id, timestamp, action, agent_did, grant_id, scopes, result, metadata, prev_hash, hash, signature, audit_key_version, synced_at, flags)
       SELECT $1, g, 'ae_' || g, to_char(timestamp '2026-01-01' + g * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"'),
              CASE WHEN g % 3 = 0 THEN 'tool:thermostat.set' ELSE 'tool:sensor.read' END, 'did:offlineconsent:' || $2::text, 'grnt_bench', '["sensor:read"]',
              'success', CASE WHEN g % 2 = 0 THEN '{"reading":21.5,"unit":"C"}' END, md5((g - 1)::text) || md5((g - 1)::text), md5(g::text) || md5(g::text), 'sig', 1, now(),
              CASE WHEN g % 1000 = 0 THEN '["afterDeadline"]' ELSE '[]' END
       FROM generate_series(1, $3::int) AS g`,
      [bundle.bundleId, agentId, N],
    );
    await db.query(`UPDATE bundles SET head_seq = $2::bigint, head_hash = md5($2::bigint::text) || md5($2::bigint::text), last_synced_at = now() WHERE id = $1`, [bundle.bundleId, N]);
    await db.query('ANALYZE audit_entries');
    const loadSeconds = ((performance.now() - t0) / 1000).toFixed(1);

    const signIn = await fetch(`${server.url}/console/sign-in`, {
      method: 'POST', redirect: 'manual',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ apiKey }),
    });
    const cookie = signIn.headers.get('set-cookie').split(';')[0];
    const trail = `/console/bundles/${bundle.bundleId}`;
    const pages = [
      ['bundles page (50 of 60 bundles)', '/console/bundles'],
      ['trail, first page (seq 1-50)', trail],
      ['trail, deep page (after seq 90,000)', `${trail}?after=90000`],
      ['trail, last page', `${trail}?before=${N + 1}`],
      ['trail, flagged only (first page)', `${trail}?flagged=1`],
      ['trail, flagged only, after seq 90,000', `${trail}?flagged=1&after=90000`],
      [`export JSONL (all ${N.toLocaleString('en-US')} entries)`, `${trail}/export.jsonl`],
    ];
    const rows = [];
    for (const [page, path] of pages) rows.push({ engine, page, ...(await time(server.url, cookie, path, path.endsWith('.jsonl') ? EXPORT_RUNS : RUNS)) });

    // The plans of the deep and flagged-only page queries, as the console runs them.
    const plans = {};
    for (const [name, sql] of [
      ['deep page', `SELECT * FROM audit_entries WHERE bundle_id = '${bundle.bundleId}' AND seq > 90000 ORDER BY seq LIMIT 51`],
      ['flagged only', `SELECT * FROM audit_entries WHERE bundle_id = '${bundle.bundleId}' AND seq > 0 AND flags <> '[]' ORDER BY seq LIMIT 51`],
    ]) {
      plans[name] = (await db.query(`EXPLAIN ${sql}`)).map((r) => Object.values(r)[0]).join(' / ');
    }
    return { rows, plans, loadSeconds };
  } finally {
    await server.close();
    await db.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'oc-console-bench-'));
const results = [];
try {
  results.push(await run('pglite (disk)', { dataDir: join(dir, 'db') }));
  if (process.env.PG_URL) results.push(await run('postgresql', { databaseUrl: process.env.PG_URL }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`node ${process.version}, ${new Date().toISOString()}, one trail of ${N} entries, ${RUNS} timed GETs per page (${EXPORT_RUNS} of the export) over loopback HTTP, after one warm-up (median and worst ms)`);
console.table(results.flatMap((r) => r.rows).map((r) => ({ engine: r.engine, page: r.page, 'median ms': r.median, 'max ms': r.max, 'KiB': +(r.bytes / 1024).toFixed(1) })));
for (const r of results) {
  console.log(`${r.rows[0].engine}: ${N} rows loaded in ${r.loadSeconds} s`);
  for (const [name, plan] of Object.entries(r.plans)) console.log(`  plan, ${name}: ${plan}`);
}
if (!process.env.PG_URL) console.log('postgresql: skipped (set PG_URL to an empty database)');
