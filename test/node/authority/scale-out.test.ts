// Several authority processes on one PostgreSQL database: how a deployment scales out.
// Each authority here has its own connection pool, as separate processes would.
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../../src/index.js';
import { SCHEMA_VERSION, createAuthority, generateApiKey, type Authority } from '../../../src/authority/index.js';
import { openPostgres } from '../../../src/authority/db/postgres.js';
import { signedEntries } from './entries.js';
import { Api, createPostgresDatabase } from './harness.js';

describe('two authorities sharing one PostgreSQL database', () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let a: Authority;
  let b: Authority;
  const apiKey = generateApiKey();

  beforeAll(async () => {
    database = await createPostgresDatabase();
    // Both start at once on an empty database: migrations, first signing key and the
    // configured API key must each happen exactly once.
    [a, b] = await Promise.all([
      createAuthority({ databaseUrl: database.url, apiKey, rateLimits: false }),
      createAuthority({ databaseUrl: database.url, apiKey, rateLimits: false }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await database?.drop();
  });

  it('a simultaneous first start migrates once and makes one signing key and one developer', async () => {
    const db = await openPostgres(database.url, { maxConnections: 1 });
    try {
      const count = async (sql: string) => Number((await db.query<{ n: number }>(sql))[0]!.n);
      expect(await count('SELECT count(*) AS n FROM schema_migrations')).toBe(SCHEMA_VERSION);
      expect(await count('SELECT count(*) AS n FROM signing_keys')).toBe(1);
      expect(await count('SELECT count(*) AS n FROM developers')).toBe(1);
      expect(await count('SELECT count(*) AS n FROM api_keys')).toBe(1);
    } finally {
      await db.close();
    }
    expect(a.engine).toBe('postgres');
  });

  it('rate limits are counted in the database: two instances share one budget per API key', async () => {
    const now = () => 1_800_000_030_000; // mid-window, so no window boundary falls between the requests
    const rateLimits = { createBundle: { limit: 3, windowMs: 60_000 } };
    const [c, d] = await Promise.all([
      createAuthority({ databaseUrl: database.url, rateLimits, now }),
      createAuthority({ databaseUrl: database.url, rateLimits, now }),
    ]);
    try {
      const viaC = new Api(c, apiKey);
      const viaD = new Api(d, apiKey);
      const agentId = (await viaC.post('/v1/agents', { name: 'limited', scopes: ['sensor:read'] })).body.agentId;
      const create = (via: Api) => via.post('/v1/consent-bundles', { agentId, userId: 'u', scopes: ['sensor:read'] });
      expect([(await create(viaC)).status, (await create(viaD)).status, (await create(viaC)).status]).toEqual([201, 201, 201]);
      const refusedD = await create(viaD);
      const refusedC = await create(viaC);
      expect([refusedD.status, refusedC.status]).toEqual([429, 429]);
      expect(refusedD.body.code).toBe('RATE_LIMITED');
      expect(Number(refusedC.headers.get('retry-after'))).toBe(30);
    } finally {
      await Promise.all([c.close(), d.close()]);
    }
  });

  it('what one instance writes the other serves, and uploads split across both build one unforked chain', async () => {
    const viaA = new Api(a, apiKey);
    const viaB = new Api(b, apiKey);
    const agentId = (await viaA.post('/v1/agents', { name: 'pi', scopes: ['sensor:read'] })).body.agentId;
    expect((await viaB.get(`/v1/agents/${agentId}`)).status).toBe(200);
    const bundle = (await viaB.post('/v1/consent-bundles', { agentId, userId: 'u', scopes: ['sensor:read'] })).body;
    const entries = await signedEntries(bundle, 200);
    const uploads = Array.from({ length: 20 }, (_, i) => (i % 2 ? viaA : viaB).post('/v1/audit/offline-sync', { bundleId: bundle.bundleId, entries: entries.slice(0, 10 * (i + 1)) }));
    for (const res of await Promise.all(uploads)) expect(res.body).toMatchObject({ rejected: 0, errors: [] });
    const stored = (await viaA.get(`/v1/consent-bundles/${bundle.bundleId}/audit`)).body.entries;
    expect(stored).toHaveLength(200);
    expect(await verifyChain(stored, { publicKey: bundle.offlineAuditKey.publicKey })).toEqual({ valid: true, count: 200 });
    await viaA.post(`/v1/consent-bundles/${bundle.bundleId}/revoke`, {});
    expect((await viaB.post('/v1/audit/offline-sync', { bundleId: bundle.bundleId, entries: [] })).body.revocationStatus).toBe('revoked');
  });

  it('a key rotation on one instance is followed by the other at its next issue', async () => {
    const viaA = new Api(a, apiKey);
    const viaB = new Api(b, apiKey);
    const agentId = (await viaA.post('/v1/agents', { name: 'pi', scopes: ['s'] })).body.agentId;
    const { kid } = await a.rotateSigningKey();
    const bundle = (await viaB.post('/v1/consent-bundles', { agentId, userId: 'u', scopes: ['s'] })).body;
    expect(decodeProtectedHeader(bundle.grantToken).kid).toBe(kid);
    expect((await viaB.get('/.well-known/jwks.json')).body.keys.map((k: any) => k.kid)).toContain(kid);
  });
});
