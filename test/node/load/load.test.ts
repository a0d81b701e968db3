// The load run of `npm run bench:load` (bench/load-run.mjs, same code, built package) at a size
// that fits CI: 50 devices syncing at once to one authority process over loopback, on
// PostgreSQL and on PGlite. Asserts exactly-once storage and verified chains — also counted
// straight from the database afterwards — and prints the figures (timings are never asserted).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../../src/authority/db/pglite.js';
import { openPostgres } from '../../../src/authority/db/postgres.js';
import type { Db } from '../../../src/authority/index.js';
import { ENGINES, createPostgresDatabase, type EngineName } from '../authority/harness.js';

const DEVICES = 50;
const ENTRIES = 400; // per device: measured to keep each engine well under a minute on 2 cores
const BATCH = 100;
const BENCH = join(import.meta.dirname, '../../../bench/load.bench.mjs');

const dir = mkdtempSync(join(tmpdir(), 'oc-load-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rows per bundle and distinct (bundle, seq) pairs, straight from the authority's tables. */
async function countRows(db: Db, bundleIds: string[]): Promise<{ rows: number; distinct: number; heads: number[] }> {
  const [c] = await db.query<{ rows: number; distinct: number }>(
    'SELECT count(*) AS rows, count(DISTINCT (bundle_id, seq)) AS distinct FROM audit_entries WHERE bundle_id = ANY($1::text[])',
    [bundleIds],
  );
  const heads = await db.query<{ head_seq: number }>('SELECT head_seq FROM bundles WHERE id = ANY($1::text[])', [bundleIds]);
  return { rows: Number(c!.rows), distinct: Number(c!.distinct), heads: heads.map((h) => Number(h.head_seq)) };
}

describe.each(ENGINES)(`load: ${DEVICES} devices × ${ENTRIES} entries synced at once on %s (loopback)`, (engine: EngineName) => {
  it('stores every entry exactly once and every chain verifies; prints p50/p99 latency and entries/s', async () => {
    const out = join(dir, `${engine}.json`);
    const database = engine === 'postgres' ? await createPostgresDatabase() : null;
    const dataDir = join(dir, `${engine}-db`);
    try {
      const location = database ? ['--pg-url', database.url] : ['--data-dir', dataDir];
      await promisify(execFile)(process.execPath, [BENCH, '--engines', engine, '--devices', String(DEVICES), '--entries', String(ENTRIES), '--batch', String(BATCH), '--out', out, ...location]);
      const [row] = JSON.parse(readFileSync(out, 'utf8')).rows;
      const { bundleIds, ...figures } = row;
      console.log(`load ${engine}:`, JSON.stringify(figures));
      expect(figures).toMatchObject({ expected: DEVICES * ENTRIES, stored: DEVICES * ENTRIES, missing: 0, duplicates: 0, mismatched: 0, chainsVerified: DEVICES, syncErrors: 0 });
      expect(figures.requests).toBe(DEVICES * Math.ceil(ENTRIES / BATCH));

      // Independently of the API: the tables hold each (bundle, seq) once and every head at the end.
      const db = database ? await openPostgres(database.url) : await openPglite(dataDir);
      try {
        expect(await countRows(db, bundleIds)).toEqual({ rows: DEVICES * ENTRIES, distinct: DEVICES * ENTRIES, heads: Array(DEVICES).fill(ENTRIES) });
      } finally {
        await db.close();
      }
    } finally {
      await database?.drop();
    }
  }, 180_000);
});
