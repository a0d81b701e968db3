import type { SignedAuditEntry } from '../audit/types.js';
import { checkMetaValue } from '../audit/json-value.js';
import { checkMetaName, headOf, orderEntryFields, type AuditHead, type AuditReadRange, type AuditStore, type AuditStoreState } from '../audit/audit-store.js';

/**
 * An audit store in memory, for tests and ephemeral agents. Entries live as long as the
 * store object: `close()` then `open()` on the same object finds them again (a "restart"
 * without a disk). Rotation drops the synced segment and keeps the head. The high-water
 * mark's two slots live in the store object too.
 */
export function createMemoryAuditStore(): AuditStore {
  let segment: SignedAuditEntry[] = [];
  let segmentBytes = 0;
  let base: AuditHead | null = null;
  let syncedSeq = 0;
  const meta = new Map<string, string>();
  const mark: [string | null, string | null] = [null, null]; // the high-water mark's two slots
  let isOpen = false;

  const head = (): AuditHead | null => {
    const last = segment[segment.length - 1];
    return last ? headOf(last) : base;
  };
  const jsonCopy = (e: SignedAuditEntry): SignedAuditEntry => JSON.parse(JSON.stringify(orderEntryFields(e)));
  function ensureOpen(): void {
    if (!isOpen) throw new Error('memory audit store is not open');
  }

  return {
    async open(): Promise<AuditStoreState> {
      isOpen = true;
      // As every store: a marker past the head is never trusted, it goes back to just before the live entries.
      if (syncedSeq <= (head()?.seq ?? 0)) return { head: head(), base, syncedSeq, recovered: [] };
      const message = `Synced marker ${syncedSeq} is past the head (seq ${head()?.seq ?? 0}); using ${base?.seq ?? 0}`;
      syncedSeq = base?.seq ?? 0;
      return { head: head(), base, syncedSeq, recovered: [{ kind: 'synced-marker', droppedBytes: 0, message }] };
    },

    async append(entries, options): Promise<void> {
      ensureOpen();
      // Copies through JSON, exactly what a durable backend would give back later.
      const copies = entries.map(jsonCopy);
      segment.push(...copies);
      for (const e of copies) segmentBytes += JSON.stringify(e).length + 1;
      if (options?.mark) mark[options.mark.slot] = options.mark.record; // after its entries
    },

    async readMark() {
      return [mark[0], mark[1]];
    },

    async writeMark({ slot, record }) {
      ensureOpen();
      mark[slot] = record;
    },

    async *read({ fromSeq, limit }: AuditReadRange = {}): AsyncIterable<SignedAuditEntry> {
      ensureOpen();
      const seg = segment; // as iteration starts; appends and rotation meanwhile do not show
      const end = seg.length;
      let i = fromSeq === undefined ? 0 : Math.max(0, fromSeq - (seg[0]?.seq ?? 0));
      for (let n = 0; i < end && (limit === undefined || n < limit); i++, n++) yield jsonCopy(seg[i]!);
    },

    async setSynced(seq) {
      ensureOpen();
      syncedSeq = seq;
    },

    async getMeta<T>(name: string): Promise<T | undefined> {
      const text = meta.get(checkMetaName(name));
      return text === undefined ? undefined : (JSON.parse(text) as T);
    },

    async setMeta(name, value) {
      checkMetaName(name);
      if (value === undefined) meta.delete(name);
      else meta.set(name, JSON.stringify(checkMetaValue(value, name)));
    },

    async rotate({ ifLargerThan }) {
      ensureOpen();
      if (segment.length === 0 || segmentBytes <= ifLargerThan) return false;
      base = head();
      segment = [];
      segmentBytes = 0;
      return true;
    },

    async close() {
      isOpen = false;
    },
  };
}
