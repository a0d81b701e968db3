// Runtime-neutral storage backends (the `AuditStore` contract lives with its caller, src/audit/).
export { createMemoryAuditStore } from './memory-audit.js';
