/**
 * offline-consent for Node, Deno and Bun: the core plus filesystem conveniences.
 *
 * @module offline-consent/node
 */
export * from './index.js';
export { createFileAuditStore, type FileAuditStoreOptions } from './storage/node-fs-audit.js';
export { createOfflineAuditLog, type NodeOfflineAuditLogOptions } from './storage/node-fs-log.js';
export { storeBundle, loadBundle, deleteBundle } from './storage/node-fs-bundle.js';
