// Runtime-neutral storage: the store interface and the memory backend.
export { createMemoryAuditStore } from './memory-audit.js';
export { orderEntryFields } from './audit-store.js';
export type { AuditDurability, AuditHead, AuditReadRange, AuditRecovery, AuditStore, AuditStoreState } from './audit-store.js';
