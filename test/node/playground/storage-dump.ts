// What a page keeps, dumped for "no secret at rest" assertions (the playground and the
// cross-origin device page share it).
import type { Page } from 'playwright';

/** Everything the page keeps: every IndexedDB database, store and value (bytes as latin1 text), and localStorage. */
export function dumpBrowserStorage(page: Page): Promise<{ indexedDB: string; localStorage: string; keys: Array<{ type: string; extractable: boolean; algorithm: string }> }> {
  return page.evaluate(async () => {
    const keys: Array<{ type: string; extractable: boolean; algorithm: string }> = [];
    const text = (v: unknown): unknown => {
      if (v instanceof CryptoKey) {
        keys.push({ type: v.type, extractable: v.extractable, algorithm: v.algorithm.name });
        return `CryptoKey(${v.type}, ${v.algorithm.name}, extractable: ${v.extractable})`;
      }
      if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
        const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
        let chars = '';
        for (const b of bytes) chars += String.fromCharCode(b);
        return `bytes:${chars}`;
      }
      return v;
    };
    const dump: Record<string, unknown> = {};
    for (const { name } of await indexedDB.databases()) {
      const db: IDBDatabase = await new Promise((res, rej) => { const r = indexedDB.open(name!); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
      for (const store of db.objectStoreNames) {
        const [keyList, values] = await Promise.all(['getAllKeys', 'getAll'].map((m) => new Promise<unknown[]>((res, rej) => {
          const q = (db.transaction(store).objectStore(store) as any)[m]();
          q.onsuccess = () => res(q.result);
          q.onerror = () => rej(q.error);
        })));
        dump[`${name}/${store}`] = keyList!.map((k, i) => [k, values![i]]);
      }
      db.close();
    }
    return {
      indexedDB: JSON.stringify(dump, (_k, v) => text(v)),
      localStorage: JSON.stringify(Object.fromEntries(Object.entries(localStorage))),
      keys,
    };
  });
}
