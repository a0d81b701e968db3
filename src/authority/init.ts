import { createDeveloper } from './api-keys.js';
import { migrate } from './db/migrations.js';
import { openDatabase, type DatabaseLocation } from './db/open.js';
import { ensureSigningKey, rotateSigningKey } from './signing-keys.js';

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

/**
 * Rotates the issuer's RS256 signing key in a database: a new key signs from now on, the old one
 * stays published until the tokens it signed have expired. `offline-consent keys rotate` runs it.
 */
export async function rotateAuthorityKeys(options: DatabaseLocation = {}): Promise<{ kid: string; retiredKid: string | null }> {
  const db = await openDatabase(options);
  try {
    await migrate(db);
    await ensureSigningKey(db, Date.now());
    return await rotateSigningKey(db, Date.now());
  } finally {
    await db.close();
  }
}
