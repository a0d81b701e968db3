import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { OfflineConsentError } from '../../errors.js';
import { acquireFileLock, describeHolder, FileLockedError, type FileLock } from '../../storage/node-fs-lock.js';
import type { Db, Queryable, Row } from './types.js';

/** The lock file inside a PGlite data folder: held by the one process that has it open. */
export const DATA_DIR_LOCK = 'offline-consent.lock';

/**
 * Embedded PostgreSQL (WASM): data under `dataDir`, or in memory when it is omitted. One
 * process per directory: `<dataDir>/offline-consent.lock` (a live holder is `DATA_DIR_LOCKED`,
 * naming it; one left by a process that is gone is taken over).
 */
export async function openPglite(dataDir?: string): Promise<Db> {
  let lock: FileLock | null = null;
  if (dataDir !== undefined) {
    await mkdir(dataDir, { recursive: true });
    try {
      lock = await acquireFileLock(join(resolve(dataDir), DATA_DIR_LOCK));
    } catch (error) {
      if (!(error instanceof FileLockedError)) throw error;
      const who = error.holder ? describeHolder(error.holder) : 'another process';
      throw new OfflineConsentError(`PGlite data folder ${dataDir} is in use by ${who}`, 'DATA_DIR_LOCKED', { cause: error });
    }
  }
  let pg: PGlite;
  try {
    pg = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
    await pg.waitReady;
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const on = (runner: Pick<PGlite, 'query'>): Queryable => ({
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      return (await runner.query<T>(sql, [...params])).rows;
    },
  });
  return {
    engine: 'pglite',
    ...on(pg),
    transaction: (fn) => pg.transaction((tx) => fn(on(tx))),
    close: async () => {
      try {
        await pg.close();
      } finally {
        await lock?.release();
      }
    },
  };
}
