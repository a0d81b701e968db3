import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, Row } from './types.js';

/** Embedded PostgreSQL (WASM): data under `dataDir`, or in memory when it is omitted. One process per directory. */
export async function openPglite(dataDir?: string): Promise<Db> {
  const pg = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  await pg.waitReady;
  const on = (runner: Pick<PGlite, 'query'>): Queryable => ({
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      return (await runner.query<T>(sql, [...params])).rows;
    },
  });
  return {
    engine: 'pglite',
    ...on(pg),
    transaction: (fn) => pg.transaction((tx) => fn(on(tx))),
    close: () => pg.close(),
  };
}
