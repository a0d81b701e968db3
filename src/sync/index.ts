export { syncAuditLog, MAX_BATCH_SIZE } from './sync.js';
export { resolveSyncUrl, SYNC_PATH } from './endpoint.js';
export type { SyncError, SyncOptions, SyncProgress, SyncResult, SyncableAuditLog } from './types.js';
export { REVOCATION_META } from './revocation.js';
export type { RevocationRecord } from './revocation.js';
