import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileAuditStore } from '../../src/node.js';
import { describeAuditStoreConformance } from '../helpers/audit-store-conformance.js';

describeAuditStoreConformance('file (JSON Lines)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oc-store-'));
  const path = join(dir, 'audit.jsonl');
  const fixture = {
    store: createFileAuditStore(path),
    reopen: () => createFileAuditStore(path),
    cleanup: async () => {
      await fixture.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
});
