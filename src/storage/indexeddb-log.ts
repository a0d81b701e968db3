import { createOfflineAuditLogAtPath, type OfflineAuditLogAtPathOptions } from '../audit/log-at-path.js';
import type { OfflineAuditLog } from '../audit/log.js';
import { createIndexedDBAuditStore } from './indexeddb-audit.js';

/** Options of the browser `createOfflineAuditLog`: the core log options, with `logPath` (an IndexedDB log name) or `store`. */
export type BrowserOfflineAuditLogOptions = OfflineAuditLogAtPathOptions;

/** `createOfflineAuditLog` for browsers: `{ logPath }` names an IndexedDB log, so code written for Node runs unchanged. */
export function createOfflineAuditLog(options: BrowserOfflineAuditLogOptions): OfflineAuditLog {
  return createOfflineAuditLogAtPath(options, createIndexedDBAuditStore);
}
