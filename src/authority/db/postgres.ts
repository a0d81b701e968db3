import postgres from 'postgres';
import type { Db, Queryable, Row } from './types.js';

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  maxConnections?: number;
}

/** A PostgreSQL server through the `postgres` driver; several authority processes may share it. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Db> {
  const sql = postgres(url, {
    max: options.maxConnections ?? 10,
    onnotice: () => {}, // "already exists, skipping" notices from idempotent migrations are noise.
    connection: { application_name: 'offline-consent-authority' },
  });
  const on = (runner: postgres.Sql | postgres.TransactionSql): Queryable => ({
    async query<T extends Row>(text: string, params: readonly unknown[] = []) {
      return (await runner.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[];
    },
  });
  await sql`select 1`; // Fail at start, not at the first request, when the server is unreachable.
  return {
    engine: 'postgres',
    ...on(sql),
    transaction: async (fn) => (await sql.begin((tx) => fn(on(tx)))) as Awaited<ReturnType<typeof fn>>,
    close: () => sql.end({ timeout: 5 }),
  };
}
