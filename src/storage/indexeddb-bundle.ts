import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import { BundleNotFoundError, BundleWriteError } from '../errors.js';
import { importAuditSigningKey } from '../bundle/signing-key.js';
import { isCryptoKey, type BundleKey } from '../bundle/key.js';
import { openOwnBundle, type OpenOptions } from '../bundle/open.js';
import { sealOwnBundle, type SealOptions } from '../bundle/seal.js';
import type { ConsentBundle } from '../bundle/types.js';

const DEVICE_KEY = 'device-key';
// Placeholder for the private key in the sealed copy when the key itself is kept as a CryptoKey.
const KEY_HELD_APART = '-----BEGIN PRIVATE KEY-----\nheld apart\n-----END PRIVATE KEY-----\n';

let store: UseStore | undefined;
/** One database for every bundle and the device key (`offline-consent-bundles`). */
function bundles(): UseStore {
  store ??= createStore('offline-consent-bundles', 'bundles');
  return store;
}

// idb-keyval's get/set/update, always on this store (their default-store fallback stays out of the bundle).
function read<T>(key: string): Promise<T | undefined> {
  return bundles()('readonly', (s) => promisifyRequest(s.get(key)));
}

interface StoredRecord {
  sealed: Uint8Array;
  /** The audit private key, non-extractable, when the bundle was stored with `keepSigningKeyAsCryptoKey`. */
  signingKey?: CryptoKey;
}

/**
 * This browser's device key: a non-extractable AES-256-GCM key made once and kept in
 * IndexedDB. Bundles sealed with it are useless anywhere else, and page script can use it
 * but never read it.
 */
export async function getDeviceKey(): Promise<CryptoKey> {
  const existing = await read<CryptoKey>(DEVICE_KEY);
  if (existing) return existing;
  const candidate = (await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])) as CryptoKey;
  // Check-and-set in one readwrite transaction: when two tabs race, the first key written wins
  // for both, and no bundle is ever sealed with a key that is then overwritten.
  let kept = candidate;
  await bundles()(
    'readwrite',
    (s) =>
      new Promise<void>((resolve, reject) => {
        s.get(DEVICE_KEY).onsuccess = function (this: IDBRequest<CryptoKey | undefined>) {
          try {
            s.put((kept = this.result ?? candidate), DEVICE_KEY);
            resolve(promisifyRequest(s.transaction));
          } catch (error) {
            reject(error);
          }
        };
      }),
  );
  return kept;
}

/** Options of the browser `storeBundle`: how to seal, and how to keep the audit key. */
export interface BrowserStoreOptions extends Omit<SealOptions, 'format'> {
  /** Only `'own'`: upstream's legacy layout is for its Node SDK's files, never a page's store. */
  format?: 'own';
  /** Keep the audit private key as a non-extractable CryptoKey instead of PEM text (default false). */
  keepSigningKeyAsCryptoKey?: boolean;
}

function recordName(name: string): string {
  if (typeof name !== 'string' || name === '') throw new TypeError('Bundle name must be a non-empty string');
  return `bundle:${name}`;
}

/** Seals the bundle (with `key`, or the device key) into the IndexedDB record `name`. */
export async function storeBundle(bundle: ConsentBundle, name: string, key?: BundleKey, options: BrowserStoreOptions = {}): Promise<void> {
  const id = recordName(name);
  const sealKey = key ?? (await getDeviceKey());
  const { privateKey } = bundle.offlineAuditKey;
  let record: StoredRecord;
  if (options.keepSigningKeyAsCryptoKey || isCryptoKey(privateKey)) {
    const signingKey = isCryptoKey(privateKey) ? privateKey : await importAuditSigningKey(bundle);
    const sealed = await sealOwnBundle({ ...bundle, offlineAuditKey: { ...bundle.offlineAuditKey, privateKey: KEY_HELD_APART } }, sealKey, options);
    record = { sealed, signingKey };
  } else {
    record = { sealed: await sealOwnBundle(bundle, sealKey, options) };
  }
  try {
    await bundles()('readwrite', (s) => {
      s.put(record, id);
      return promisifyRequest(s.transaction);
    });
  } catch (error) {
    // Quota exceeded, a database closed underneath: the transaction aborted, the old record stays.
    throw new BundleWriteError(`Could not store the bundle "${name}" in IndexedDB (${(error as Error)?.name ?? 'error'}); the old record stays`, { cause: error });
  }
}

/**
 * Opens the bundle stored under `name`; `BUNDLE_NOT_FOUND` when there is none. Records are
 * only ever written by `storeBundle` (own layout), so `options.scrypt` (for upstream
 * GTXB files) has nothing to open here; it is accepted for the same signature as on Node.
 */
export async function loadBundle(name: string, key?: BundleKey, _options: OpenOptions = {}): Promise<ConsentBundle> {
  const record = await read<StoredRecord>(recordName(name));
  if (!record) throw new BundleNotFoundError(`IndexedDB record "${name}"`);
  const bundle = await openOwnBundle(record.sealed, key ?? (await getDeviceKey()));
  if (record.signingKey) bundle.offlineAuditKey = { ...bundle.offlineAuditKey, privateKey: record.signingKey };
  return bundle;
}

/** Deletes the bundle stored under `name` (revocation clean-up); false when there was none, as on Node. */
export function deleteBundle(name: string): Promise<boolean> {
  const id = recordName(name);
  return bundles()('readwrite', (store) => {
    const existed = promisifyRequest(store.getKey(id)).then((found) => found !== undefined);
    store.delete(id);
    return promisifyRequest(store.transaction).then(() => existed);
  });
}
