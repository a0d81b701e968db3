import pg from 'pg';
import type { Db, Queryable, Row } from './types.js';

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  maxConnections?: number;
}

const on = (runner: pg.Pool | pg.PoolClient): Queryable => ({
  async query<T extends Row>(text: string, params: readonly unknown[] = []) {
    return (await runner.query<T>(text, params as unknown[])).rows;
  },
});

/**
 * A PostgreSQL server through node-postgres (`pg`); several authority processes may share it.
 * A connection that dies (a restarted server, a terminated backend) fails the request that
 * used it with a catchable error and is dropped from the pool; it never takes the process down.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, application_name: 'offline-consent-authority' });
  // An idle pooled connection that dies is reported here; with no listener Node would exit.
  pool.on('error', () => {});
  await pool.query('select 1'); // Fail at start, not at the first request, when the server is unreachable.
  return {
    engine: 'postgres',
    ...on(pool),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      const onError = (error: Error) => (broken = error); // the connection died while checked out
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        if (!broken) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken); // a broken connection is closed, not handed out again
      }
    },
    close: () => pool.end(),
  };
}
