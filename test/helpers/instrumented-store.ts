// Test-only: wraps a store to count calls and, where a test says so, inject write faults
// (failures the OS cannot produce on demand).
import type { AuditStore, SignedAuditEntry } from '../../src/index.js';

export interface Instrumented {
  store: AuditStore;
  batches: number[];
  reads: number;
  /** When set, the next append calls fail (the store itself stays unchanged). */
  failAppends: number;
}

export function instrument(inner: AuditStore): Instrumented {
  const self: Instrumented = {
    batches: [],
    reads: 0,
    failAppends: 0,
    store: {
      open: () => inner.open(),
      async append(entries: readonly SignedAuditEntry[], options) {
        self.batches.push(entries.length);
        if (self.failAppends > 0) {
          self.failAppends--;
          throw new Error('injected store fault');
        }
        return inner.append(entries, options);
      },
      read(range) {
        self.reads++;
        return inner.read(range);
      },
      setSynced: (seq) => inner.setSynced(seq),
      getMeta: (name) => inner.getMeta(name),
      setMeta: (name, value) => inner.setMeta(name, value),
      rotate: (o) => inner.rotate!(o),
      close: () => inner.close(),
    },
  };
  return self;
}
