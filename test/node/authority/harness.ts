// Test harness for the authority: the same cases run on PGlite (in memory) and on the
// PostgreSQL cluster the global setup started. Each file gets its own database.
import pg from 'pg';
import { inject } from 'vitest';
import { createAuthority, type Authority, type AuthorityOptions, type Db } from '../../../src/authority/index.js';
import { openPglite } from '../../../src/authority/db/pglite.js';
import { openPostgres } from '../../../src/authority/db/postgres.js';
import { randomBytes, toHex } from '../../../src/crypto/index.js';

export type EngineName = 'pglite' | 'postgres';
export const ENGINES: EngineName[] = ['pglite', 'postgres'];

/** A fresh, empty database on the PostgreSQL test server; `drop` removes it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = inject('pgAdminUrl');
  const name = `oc_test_${toHex(randomBytes(6))}`;
  const asAdmin = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await asAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** An open database of the engine, and how to throw it away. */
export async function openTestDb(engine: EngineName): Promise<{ db: Db; url: string | null; dispose: () => Promise<void> }> {
  if (engine === 'pglite') {
    const db = await openPglite();
    return { db, url: null, dispose: () => db.close() };
  }
  const { url, drop } = await createPostgresDatabase();
  const db = await openPostgres(url);
  return { db, url, dispose: async () => { await db.close(); await drop(); } };
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the authority's fetch handler (no network) as one developer. */
export class Api {
  constructor(
    readonly authority: Pick<Authority, 'fetch'>,
    readonly apiKey: string | null,
    readonly base = 'http://authority.test',
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown, init: { raw?: string; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...(this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {}), ...init.headers };
    let payload: string | undefined = init.raw;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await this.authority.fetch(new Request(`${this.base}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) }));
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  }
  get<T = any>(path: string) {
    return this.call<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.call<T>('POST', path, body);
  }
  as(apiKey: string | null) {
    return new Api(this.authority, apiKey, this.base);
  }
}

/** One authority per engine for a test file, over a database the test can also query. */
export async function startTestAuthority(engine: EngineName, options: AuthorityOptions = {}) {
  const store = await openTestDb(engine);
  const authority = await createAuthority({ rateLimits: false, onError: (e) => { throw e; }, ...options, db: store.db });
  return {
    authority,
    db: store.db,
    url: store.url,
    /** A new developer (tenant) with its own API key. */
    async developer(): Promise<Api> {
      const { apiKey } = await authority.createDeveloper('test');
      return new Api(authority, apiKey);
    },
    async dispose() {
      await authority.close();
      await store.dispose();
    },
  };
}

/** Row counts of every table, to prove a refused request wrote nothing. */
export async function rowCounts(db: Db): Promise<Record<string, number>> {
  const tables = ['developers', 'api_keys', 'agents', 'signing_keys', 'bundles', 'bundle_audit_keys', 'audit_entries'];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Number((await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${t}`))[0]!.n);
  return out;
}
