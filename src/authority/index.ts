/**
 * offline-consent/authority — a self-hostable authority server speaking PROTOCOL.md §5:
 * a Hono fetch handler over PGlite (embedded, default) or PostgreSQL, and a Node starter.
 *
 * @module offline-consent/authority
 */
export { createAuthority } from './app.js';
export type { Authority, AuthorityOptions } from './app.js';
export type { ConsoleOptions } from './console/index.js';
export { startAuthority } from './node-server.js';
export type { RunningAuthority, StartAuthorityOptions } from './node-server.js';
export { initAuthority, rotateAuthorityKeys } from './init.js';
export { openDatabase } from './db/open.js';
export type { DatabaseLocation } from './db/open.js';
export type { Db, Queryable } from './db/types.js';
export { migrate, SCHEMA_VERSION } from './db/migrations.js';
export { generateApiKey } from './api-keys.js';
export { AuthorityApiError } from './api-error.js';
export { parseTTL } from './ttl.js';
export type { IssuedBundle } from './issue-bundle.js';
export type { EntryError, EntryErrorCode } from './sync/check-entries.js';
export type { SyncResult } from './sync/sync-batch.js';
export type { RateLimit } from './http/rate-limit.js';
