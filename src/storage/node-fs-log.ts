import { createOfflineAuditLogAtPath, type OfflineAuditLogAtPathOptions } from '../audit/log-at-path.js';
import type { OfflineAuditLog } from '../audit/log.js';
import { createFileAuditStore } from './node-fs-audit.js';

/** Options of the Node `createOfflineAuditLog`: the core log options, with `logPath` (a JSONL file) or `store`. */
export type NodeOfflineAuditLogOptions = OfflineAuditLogAtPathOptions;

/** `createOfflineAuditLog` for Node: `{ logPath }` is a JSONL file store at that path, as upstream. */
export function createOfflineAuditLog(options: NodeOfflineAuditLogOptions): OfflineAuditLog {
  return createOfflineAuditLogAtPath(options, (path) => createFileAuditStore(path));
}
