import type { Db } from './types.js';

/** Where the authority keeps its data: PostgreSQL at a URL, PGlite under a directory, or PGlite in memory. */
export interface DatabaseLocation {
  /** `postgres://…` — PostgreSQL through the `pg` driver; several authorities may share it. */
  databaseUrl?: string;
  /** A directory for embedded PGlite (created if missing). Without either option: PGlite in memory. */
  dataDir?: string;
  /** Pool size for PostgreSQL (default 10). */
  maxConnections?: number;
}

/** Opens the engine the location names; each driver is loaded only when it is used. */
export async function openDatabase(location: DatabaseLocation = {}): Promise<Db> {
  if (location.databaseUrl !== undefined && location.dataDir !== undefined) {
    throw new TypeError('Give either databaseUrl (PostgreSQL) or dataDir (PGlite), not both');
  }
  if (location.databaseUrl !== undefined) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(location.databaseUrl, location.maxConnections === undefined ? {} : { maxConnections: location.maxConnections });
  }
  const { openPglite } = await import('./pglite.js');
  return openPglite(location.dataDir);
}
