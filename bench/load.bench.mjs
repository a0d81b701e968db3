// Load: 50 devices × 10,000 entries each, synced at once to one authority on loopback, on
// PostgreSQL and on PGlite (on disk). Reports p50/p99 sync-request latency and entries/s, and
// checks that every entry is stored exactly once and every chain verifies (exit 1 if not).
// Run: npm run bench:load [-- --devices 50 --entries 10000 --batch 100 --engines postgres,pglite]
// PostgreSQL: PG_URL (or --pg-url) names an empty database; without it a throwaway cluster is
// started from Debian's postgresql binaries. Writes bench/load-results.json (or --out FILE).
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    serve: { type: 'string' },
    devices: { type: 'string', default: '50' },
    entries: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '100' },
    engines: { type: 'string', default: 'postgres,pglite' },
    'pg-url': { type: 'string' },
    'data-dir': { type: 'string' },
    out: { type: 'string' },
  },
});

if (args.serve) {
  // Child mode: the authority in its own process, so devices and server each get a core.
  const { startAuthority } = await import('../dist/authority.js');
  const server = await startAuthority(JSON.parse(args.serve));
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
} else {
  await main();
}

/** A throwaway PostgreSQL cluster on loopback (initdb refuses root: run it as `postgres`). */
function startCluster() {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  const bin = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => existsSync(join(d, 'initdb')));
  if (!bin) throw new Error('PostgreSQL binaries not found: apt-get install postgresql, or set PG_URL');
  const asRoot = process.getuid?.() === 0;
  const run = (cmd, argv) => execFileSync(asRoot ? 'runuser' : cmd, asRoot ? ['-u', 'postgres', '--', cmd, ...argv] : argv, { stdio: 'pipe' });
  const dir = mkdtempSync(join(tmpdir(), 'oc-load-pg-'));
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'])), Number(execFileSync('id', ['-g', 'postgres'])));
  const port = 20000 + Math.floor(Math.random() * 20000);
  run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync']);
  run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-o', `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir}`, '-l', join(dir, 'log'), '-w', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main() {
  const { runLoad } = await import('./load-run.mjs');
  const shape = { devices: Number(args.devices), entries: Number(args.entries), batchSize: Number(args.batch) };
  const engines = args.engines.split(',');
  const rows = [];
  let cluster = null;
  const pgUrl = args['pg-url'] ?? process.env.PG_URL ?? (engines.includes('postgres') ? (cluster = startCluster()).url : null);
  const pgliteDir = args['data-dir'] ?? mkdtempSync(join(tmpdir(), 'oc-load-pglite-'));
  try {
    for (const engine of engines) {
      const location = engine === 'postgres' ? { databaseUrl: pgUrl } : { dataDir: pgliteDir };
      console.error(`load: ${engine}, ${shape.devices} devices × ${shape.entries} entries, batches of ${shape.batchSize}…`);
      rows.push(await runLoad({ engine, location, ...shape }));
    }
  } finally {
    cluster?.stop();
    if (!args['data-dir']) rmSync(pgliteDir, { recursive: true, force: true });
  }
  const out = args.out ?? new URL('./load-results.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, rows }, null, 2)}\n`);
  console.table(rows.map((r) => ({
    engine: r.engine,
    devices: r.devices,
    'entries/device': r.entriesPerDevice,
    batch: r.batchSize,
    requests: r.requests,
    'p50 ms': r.p50Ms,
    'p99 ms': r.p99Ms,
    'sync s': r.syncSeconds,
    'sync entries/s': r.syncEntriesPerSecond,
    'append entries/s': r.appendEntriesPerSecond,
    'stored once': `${r.stored - r.duplicates}/${r.expected}`,
    'chains ok': `${r.chainsVerified}/${r.devices}`,
  })));
  const bad = rows.filter((r) => r.stored !== r.expected || r.missing || r.duplicates || r.mismatched || r.chainsVerified !== r.devices || r.syncErrors);
  if (bad.length > 0) {
    console.error('load: correctness check FAILED', bad.map(({ bundleIds: _ids, ...r }) => r));
    process.exitCode = 1;
  }
}
