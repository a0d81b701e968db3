import { createStore, promisifyRequest } from 'idb-keyval';
import type { SignedAuditEntry } from '../audit/types.js';
import { AuditLogError } from '../errors.js';
import { checkMetaName, headOf, orderEntryFields, type AuditDurability, type AuditHead, type AuditMarkWrite, type AuditRecovery, type AuditStore } from '../audit/audit-store.js';
import { checkMetaValue } from '../audit/json-value.js';

const OBJECT_STORE = 'audit';
const READ_CHUNK = 256;
// Entries are keyed by their seq (numbers); the bookkeeping keys are strings, so never collide.
const HEAD = 'head';
const BASE = 'base';
const SYNCED = 'synced';
const BYTES = 'bytes';
const markKey = (slot: number) => `hwm:${slot}`; // the high-water mark's two slots

/**
 * The browser store: one IndexedDB database per log (`offline-consent-audit:<name>`, made by
 * idb-keyval's `createStore`), entries keyed by seq, and the head, rotation base, synced
 * marker, segment size and meta values in the same object store, so each group commit is one
 * transaction: all of it lands or none. `fsync` durability asks for a `strict` transaction
 * (complete only once flushed), `none` for `relaxed`. A Web Lock keeps a second tab from
 * opening the same log (two writers would fork the chain). Rotation deletes the synced
 * segment (the authority holds it) and keeps the head. The high-water mark's two slots are
 * records `hwm:0` / `hwm:1` of the same object store, written in the batch's transaction.
 */
export function createIndexedDBAuditStore(name: string): AuditStore {
  if (typeof name !== 'string' || name === '') throw new TypeError('IndexedDB audit store name must be a non-empty string');
  const dbName = `offline-consent-audit:${name}`;
  let db: IDBDatabase | null = null;
  let head: AuditHead | null = null;
  let base: AuditHead | null = null;
  let bytes = 0;
  let readers = 0;
  let releaseLock: (() => Promise<void>) | null = null;

  function transaction(mode: IDBTransactionMode, durability: IDBTransactionDurability = 'default'): IDBObjectStore {
    if (!db) throw new AuditLogError(`Audit store ${name} is not open`, 'AUDIT_LOG_CLOSED');
    return db.transaction(OBJECT_STORE, mode, { durability }).objectStore(OBJECT_STORE);
  }

  /** Makes `edit`'s changes in one strict (flushed) transaction. */
  async function change(edit: (s: IDBObjectStore) => void): Promise<void> {
    const s = transaction('readwrite', 'strict');
    edit(s);
    await promisifyRequest(s.transaction);
  }

  // The returned release resolves once the lock manager has really let go: Firefox frees a
  // Web Lock a task later, and a reopen right after close() must find it free.
  async function lock(): Promise<() => Promise<void>> {
    const locks = globalThis.navigator?.locks;
    if (!locks) return async () => {};
    return new Promise((resolve, reject) => {
      const done: Promise<unknown> = locks.request(dbName, { ifAvailable: true }, (held) => {
        if (!held) {
          reject(new AuditLogError(`Audit log ${name} is open in another tab or worker`, 'AUDIT_LOG_LOCKED'));
          return;
        }
        return new Promise<void>((release) =>
          resolve(async () => {
            release();
            await done;
          }),
        ); // held until close()
      });
      done.catch(reject);
    });
  }

  return {
    async open() {
      if (releaseLock) throw new AuditLogError(`Audit store ${name} is already open`, 'AUDIT_LOG_LOCKED');
      releaseLock = await lock();
      try {
        // idb-keyval opens (and creates) the database, a fresh connection per open so close()
        // can close it; our own transactions add the durability hint it has no option for.
        db = await createStore(dbName, OBJECT_STORE)('readonly', (s) => s.transaction.db);
        const s = transaction('readonly');
        const [h, b, synced, size] = await Promise.all([HEAD, BASE, SYNCED, BYTES].map((k) => promisifyRequest(s.get(k))));
        head = (h as AuditHead | undefined) ?? null;
        base = (b as AuditHead | undefined) ?? null;
        bytes = (size as number | undefined) ?? 0;
        // A marker past the head (or not a seq) is never trusted: back to just before the live entries.
        const headSeq = head?.seq ?? 0;
        const syncedOk = synced === undefined || (Number.isSafeInteger(synced) && (synced as number) >= 0 && (synced as number) <= headSeq);
        const recovered: AuditRecovery[] = syncedOk ? [] : [{ kind: 'synced-marker', droppedBytes: 0, message: `Synced marker ${JSON.stringify(String(synced)).slice(0, 40)} is past the head (seq ${headSeq}) or unreadable; using ${base?.seq ?? 0}` }];
        return { head, base, syncedSeq: syncedOk ? ((synced as number | undefined) ?? 0) : (base?.seq ?? 0), recovered };
      } catch (error) {
        db?.close();
        db = null;
        const release = releaseLock;
        releaseLock = null;
        await release();
        throw error;
      }
    },

    async append(entries: readonly SignedAuditEntry[], { durability, mark }: { durability: AuditDurability; mark?: AuditMarkWrite }) {
      const last = entries[entries.length - 1];
      if (!last) return;
      const s = transaction('readwrite', durability === 'fsync' ? 'strict' : 'relaxed');
      let added = 0;
      try {
        for (const e of entries) {
          const stored = orderEntryFields(e);
          added += JSON.stringify(stored).length + 1;
          s.put(stored, e.seq);
        }
        s.put(headOf(last), HEAD);
        s.put(bytes + added, BYTES);
        if (mark) s.put(mark.record, markKey(mark.slot)); // after its entries, in the same transaction: all or none
      } catch (error) {
        s.transaction.abort(); // else the puts made so far would commit: all of the batch or none
        throw error;
      }
      await promisifyRequest(s.transaction);
      head = headOf(last);
      bytes += added;
    },

    async *read({ fromSeq, limit } = {}) {
      const first = (base?.seq ?? 0) + 1;
      const lastSeq = head?.seq ?? 0; // as iteration starts
      let next = Math.max(fromSeq ?? first, first);
      let left = limit ?? Infinity;
      readers++;
      try {
        while (next <= lastSeq && left > 0) {
          const s = transaction('readonly');
          const count = Math.min(READ_CHUNK, left);
          const chunk = (await promisifyRequest(s.getAll(IDBKeyRange.bound(next, lastSeq), count))) as SignedAuditEntry[];
          if (chunk.length === 0) return;
          for (const entry of chunk) yield entry;
          next = chunk[chunk.length - 1]!.seq + 1;
          left -= chunk.length;
        }
      } finally {
        readers--;
      }
    },

    async readMark() {
      const s = transaction('readonly');
      const slots = await Promise.all([0, 1].map((slot) => promisifyRequest(s.get(markKey(slot)))));
      return slots.map((v) => (typeof v === 'string' ? v : null)) as [string | null, string | null];
    },

    writeMark({ slot, record }) {
      return change((s) => s.put(record, markKey(slot)));
    },

    setSynced(seq) {
      return change((s) => s.put(seq, SYNCED));
    },

    async getMeta<T>(metaName: string) {
      const s = transaction('readonly');
      return (await promisifyRequest(s.get(`meta:${checkMetaName(metaName)}`))) as T | undefined;
    },

    async setMeta(metaName, value) {
      const key = `meta:${checkMetaName(metaName)}`;
      if (value !== undefined) checkMetaValue(value, metaName);
      await change((s) => (value === undefined ? s.delete(key) : s.put(JSON.parse(JSON.stringify(value)), key)));
    },

    async rotate({ ifLargerThan }) {
      // Skipped while a reader iterates (it would see entries vanish); the next markSynced retries.
      if (!head || bytes <= ifLargerThan || readers > 0 || head.seq === base?.seq) return false;
      const s = transaction('readwrite', 'strict');
      s.delete(IDBKeyRange.bound((base?.seq ?? 0) + 1, head.seq));
      s.put(head, BASE);
      s.put(0, BYTES);
      await promisifyRequest(s.transaction);
      base = head;
      bytes = 0;
      return true;
    },

    async close() {
      db?.close();
      db = null;
      const release = releaseLock;
      releaseLock = null;
      await release?.();
    },
  };
}
