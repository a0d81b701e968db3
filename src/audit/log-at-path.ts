import type { AuditStore } from './audit-store.js';
import { createOfflineAuditLog, type OfflineAuditLog, type OfflineAuditLogOptions } from './log.js';

/** The log options with `logPath` (upstream's option) allowed in place of `store`. */
export type OfflineAuditLogAtPathOptions = Omit<OfflineAuditLogOptions, 'store'> &
  ({ store: AuditStore; logPath?: undefined } | { logPath: string; store?: undefined });

/** `createOfflineAuditLog` where `logPath` means the runtime's own store (`storeAt`), chosen once at the entry point. */
export function createOfflineAuditLogAtPath(options: OfflineAuditLogAtPathOptions, storeAt: (path: string) => AuditStore): OfflineAuditLog {
  if (options?.logPath !== undefined && options.store !== undefined) throw new TypeError('Give logPath or store, not both');
  const store = options?.logPath !== undefined ? storeAt(options.logPath) : options?.store;
  return createOfflineAuditLog({ ...options, store: store! });
}
