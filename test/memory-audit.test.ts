import { createMemoryAuditStore } from '../src/index.js';
import { describeAuditStoreConformance } from './helpers/audit-store-conformance.js';

describeAuditStoreConformance('memory', async () => {
  const store = createMemoryAuditStore();
  return { store, reopen: () => store, cleanup: async () => store.close() };
});
