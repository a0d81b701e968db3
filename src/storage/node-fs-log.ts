import { createOfflineAuditLog as createLogOnStore, type OfflineAuditLog, type OfflineAuditLogOptions } from '../audit/log.js';
import { createFileAuditStore } from './node-fs-audit.js';

/** The core options, with `logPath` (a JSONL file, as upstream) in place of `store` if you like. */
export type NodeOfflineAuditLogOptions = Omit<OfflineAuditLogOptions, 'store'> &
  ({ store: OfflineAuditLogOptions['store']; logPath?: undefined } | { logPath: string; store?: undefined });

/** `createOfflineAuditLog` for Node: `{ logPath }` is a file store at that path (upstream's option). */
export function createOfflineAuditLog(options: NodeOfflineAuditLogOptions): OfflineAuditLog {
  if (options?.logPath !== undefined && options.store !== undefined) throw new TypeError('Give logPath or store, not both');
  const store = options?.logPath !== undefined ? createFileAuditStore(options.logPath) : options?.store;
  return createLogOnStore({ ...options, store: store! });
}
