/** One row as the driver returns it; the mappers in records.ts normalise engine differences. */
export type Row = Record<string, unknown>;

/** What a query runs on: the database itself or an open transaction. */
export interface Queryable {
  /** Runs one statement with `$1…$n` parameters and returns its rows. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/**
 * The authority's only view of SQL: the same statements run on PGlite and PostgreSQL.
 * `transaction` commits when `fn` resolves and rolls back when it throws.
 */
export interface Db extends Queryable {
  /** Which engine this is. */
  readonly engine: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction and returns what it resolves to. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Closes the database (or its pool). */
  close(): Promise<void>;
}
