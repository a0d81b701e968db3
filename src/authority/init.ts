import { createDeveloper } from './api-keys.js';
import { migrate } from './db/migrations.js';
import { openDatabase, type DatabaseLocation } from './db/open.js';
import { ensureSigningKey } from './signing-keys.js';

/**
 * Prepares a database (schema, first signing key) and creates a developer with a fresh API
 * key, returned once: only its hash is stored. `authority init` prints it.
 */
export async function initAuthority(options: DatabaseLocation & { name?: string } = {}): Promise<{ developerId: string; apiKey: string }> {
  const db = await openDatabase(options);
  try {
    await migrate(db);
    await ensureSigningKey(db, Date.now());
    const { developerId, apiKey } = await createDeveloper(db, { name: options.name ?? 'developer' });
    return { developerId, apiKey };
  } finally {
    await db.close();
  }
}
