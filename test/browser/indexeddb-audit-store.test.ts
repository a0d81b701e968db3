import { createIndexedDBAuditStore } from '../../src/browser.js';
import { describeAuditStoreConformance } from '../helpers/audit-store-conformance.js';

let n = 0;
describeAuditStoreConformance('IndexedDB (idb-keyval)', async () => {
  const name = `conformance-${Date.now()}-${n++}`;
  const fixture = {
    store: createIndexedDBAuditStore(name),
    reopen: () => createIndexedDBAuditStore(name),
    cleanup: async () => {
      await fixture.store.close();
      await new Promise((resolve, reject) => {
        const request = indexedDB.deleteDatabase(`offline-consent-audit:${name}`);
        request.onsuccess = resolve;
        request.onerror = () => reject(request.error);
      });
    },
  };
  return fixture;
});
