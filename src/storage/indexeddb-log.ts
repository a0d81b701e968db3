import { createOfflineAuditLog as createLogOnStore, type OfflineAuditLog, type OfflineAuditLogOptions } from '../audit/log.js';
import { createIndexedDBAuditStore } from './indexeddb-audit.js';

/** The core options, with `logPath` (the name of an IndexedDB-backed log) in place of `store` if you like. */
export type BrowserOfflineAuditLogOptions = Omit<OfflineAuditLogOptions, 'store'> &
  ({ store: OfflineAuditLogOptions['store']; logPath?: undefined } | { logPath: string; store?: undefined });

/** `createOfflineAuditLog` for browsers: `{ logPath }` names an IndexedDB store, so code written for Node runs unchanged. */
export function createOfflineAuditLog(options: BrowserOfflineAuditLogOptions): OfflineAuditLog {
  if (options?.logPath !== undefined && options.store !== undefined) throw new TypeError('Give logPath or store, not both');
  const store = options?.logPath !== undefined ? createIndexedDBAuditStore(options.logPath) : options?.store;
  return createLogOnStore({ ...options, store: store! });
}
