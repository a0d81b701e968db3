// PostgreSQL connection dropped mid-transaction: a real pg_terminate_backend() from a separate
// admin connection while a sync batch is inside its transaction (its entries inserted, the
// bundle head not yet moved). The device sees a retryable answer and its sync retries; the
// authority holds the log exactly once and the stored chain verifies.
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsentBundle, createOfflineAuditLog, syncAuditLog, verifyChain, type ConsentBundle, type OfflineAuditLog } from '../../../src/node.js';
import { generateApiKey, startAuthority, type RunningAuthority } from '../../../src/authority/index.js';
import { createPostgresDatabase } from '../authority/harness.js';
import { call, storedEntries } from '../e2e/authority-child.js';

describe('PostgreSQL backend terminated inside a sync transaction', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oc-pgkill-'));
  const apiKey = generateApiKey();
  const unexpected: unknown[] = [];
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let server: RunningAuthority;
  let locker: pg.Client;
  let killer: pg.Pool;
  /** One statement on the admin pool, its rows. */
  const admin = async <T extends pg.QueryResultRow>(text: string, params: unknown[] = []) => (await killer.query<T>(text, params)).rows;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    server = await startAuthority({ databaseUrl: database.url, apiKey, rateLimits: false, onError: (e) => unexpected.push(e) });
    locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    killer = new pg.Pool({ connectionString: database.url, max: 1 });
  });
  afterAll(async () => {
    await Promise.all([locker?.end(), killer?.end()]);
    await server?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function device(): Promise<{ bundle: ConsentBundle; log: OfflineAuditLog; add: (n: number) => Promise<unknown> }> {
    const agentId = (await call(server.url, apiKey, 'POST', '/v1/agents', { name: 'pg', scopes: ['sensor:read'] })).body.agentId;
    const bundle = await createConsentBundle({ apiKey, baseUrl: server.url, agentId, userId: 'alice', scopes: ['sensor:read'] });
    const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: join(dir, `${bundle.bundleId}.jsonl`), durability: 'none' });
    const { agt, grnt } = JSON.parse(Buffer.from(bundle.grantToken.split('.')[1]!, 'base64url').toString());
    const add = (n: number) => Promise.all(Array.from({ length: n }, (_, i) => log.append({ action: 'sensor.read', agentDID: agt, grantId: grnt, scopes: ['sensor:read'], result: 'success', metadata: { i } })));
    return { bundle, log, add };
  }

  it('the device gets a 503, its sync retries and completes; nothing lost or duplicated, the chain verifies', async () => {
    const { bundle, log, add } = await device();
    await add(50);
    expect(await syncAuditLog(log, { endpoint: server.url, apiKey, bundleId: bundle.bundleId, batchSize: 50 })).toMatchObject({ hasErrors: false, syncedCount: 50 });
    await add(100);

    // Hold a SHARE lock on bundles: the sync's INSERT goes through, its UPDATE of the bundle head waits.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE bundles IN SHARE MODE');
    const statuses: number[] = [];
    const observed: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).endsWith('/offline-sync')) statuses.push(res.status);
      return res;
    };
    const syncing = syncAuditLog(log, { endpoint: server.url, apiKey, bundleId: bundle.bundleId, batchSize: 100, retryDelaysMs: [100, 200, 400], fetch: observed });

    // Wait until that backend is inside its transaction, blocked at the UPDATE, then terminate it.
    let victim: number | undefined;
    for (let i = 0; i < 200 && !victim; i++) {
      const rows = await admin<{ pid: number }>(`
        SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'offline-consent-authority'
          AND wait_event_type = 'Lock' AND query LIKE 'UPDATE bundles SET head_seq%'`);
      if (rows[0]) victim = rows[0].pid;
      else await new Promise((r) => setTimeout(r, 25));
    }
    expect(victim).toBeDefined();
    // Its uncommitted rows exist only inside that transaction: invisible here.
    expect(Number((await admin<{ n: string }>('SELECT count(*) AS n FROM audit_entries'))[0]!.n)).toBe(50);
    expect((await admin<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [victim]))[0]!.ok).toBe(true);
    await locker.query('ROLLBACK');

    const result = await syncing;
    expect(statuses[0]).toBe(503); // the dropped connection is a retryable answer (DATABASE_UNAVAILABLE, Retry-After)
    expect(statuses.at(-1)).toBe(200);
    expect(result).toMatchObject({ hasErrors: false, syncedCount: 100 });
    expect(unexpected).toHaveLength(1); // the authority reported exactly that one failure
    expect(String((unexpected[0] as { code?: string }).code ?? unexpected[0])).toMatch(/57P01|CONNECTION_CLOSED|terminat/i);

    // The next sync (after more work) completes too, and the authority holds every entry once.
    await add(30);
    expect(await syncAuditLog(log, { endpoint: server.url, apiKey, bundleId: bundle.bundleId })).toMatchObject({ hasErrors: false, syncedCount: 30 });
    const mine = await log.entries();
    const stored = await storedEntries(server.url, apiKey, bundle.bundleId);
    expect(stored.map((e) => `${e.seq}:${e.hash}`)).toEqual(mine.map((e) => `${e.seq}:${e.hash}`));
    expect(await verifyChain(stored, { publicKey: bundle.offlineAuditKey.publicKey })).toEqual({ valid: true, count: 180 });
    const [counts] = await admin<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT seq) AS d FROM audit_entries WHERE bundle_id = $1', [bundle.bundleId]);
    expect([Number(counts!.n), Number(counts!.d)]).toEqual([180, 180]);
    const [head] = await admin<{ head_seq: string; head_hash: string }>('SELECT head_seq, head_hash FROM bundles WHERE id = $1', [bundle.bundleId]);
    expect([Number(head!.head_seq), head!.head_hash]).toEqual([180, mine[179]!.hash]);
    await log.close();
  }, 60_000);
});
