/**
 * offline-consent for browsers: the core plus IndexedDB conveniences.
 *
 * @module offline-consent/browser
 */
export * from './index.js';
export { createIndexedDBAuditStore } from './storage/indexeddb-audit.js';
export { createOfflineAuditLog, type BrowserOfflineAuditLogOptions } from './storage/indexeddb-log.js';
export { storeBundle, loadBundle, deleteBundle, getDeviceKey, type BrowserStoreOptions } from './storage/indexeddb-bundle.js';
