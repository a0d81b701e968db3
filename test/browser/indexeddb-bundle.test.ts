import { describe, expect, it, vi } from 'vitest';
import vectors from '../vectors/interop-vectors.json';
import { createOfflineAuditLog, deleteBundle, getDeviceKey, loadBundle, openBundle, sealBundle, storeBundle, verifyChain, type ConsentBundle } from '../../src/browser.js';

const bundle = vectors.legacyBundle.bundle as ConsentBundle;

/** Reads a record with a fresh IndexedDB connection, as a reloaded page would. */
function readRaw(key: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('offline-consent-bundles');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const req = db.transaction('bundles', 'readonly').objectStore('bundles').get(key);
      req.onsuccess = () => {
        db.close();
        resolve(req.result);
      };
      req.onerror = () => reject(req.error);
    };
  });
}

/** Writes (or with no value deletes) a record over a separate connection, as another tab would. */
function putRaw(key: string, value?: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('offline-consent-bundles');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('bundles', 'readwrite');
      if (value === undefined) tx.objectStore('bundles').delete(key);
      else tx.objectStore('bundles').put(value, key);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

describe('IndexedDB bundle store', () => {
  it('with no key, seals with a non-extractable device key kept in IndexedDB', async () => {
    await storeBundle(bundle, 'pi');
    expect(await loadBundle('pi')).toEqual({ ...bundle, hwmRequired: true });
    const device = await getDeviceKey();
    expect(device.extractable).toBe(false);
    const raw = await readRaw('device-key');
    expect(raw).toBeInstanceOf(CryptoKey);
    expect(raw.extractable).toBe(false);
    // The sealed record is ciphertext: no token or PEM in the clear.
    const record = await readRaw('bundle:pi');
    const text = new TextDecoder().decode(record.sealed);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(bundle.grantToken.slice(0, 20));
  });

  it('also takes a passphrase or raw key, and a wrong one is BUNDLE_TAMPERED', async () => {
    await storeBundle(bundle, 'with-pass', vectors.pythonBundle.keyHex);
    expect(await loadBundle('with-pass', vectors.pythonBundle.keyHex)).toEqual({ ...bundle, hwmRequired: true });
    await expect(loadBundle('with-pass', 'ab'.repeat(32))).rejects.toMatchObject({ code: 'BUNDLE_TAMPERED' });
    await expect(loadBundle('with-pass')).rejects.toMatchObject({ code: 'BUNDLE_TAMPERED' }); // the device key is not that key
  });

  it('can keep the audit private key only as a non-extractable CryptoKey, which still signs the log', async () => {
    await storeBundle(bundle, 'hardened', undefined, { keepSigningKeyAsCryptoKey: true });
    const raw = await readRaw('bundle:hardened');
    expect(raw.signingKey).toBeInstanceOf(CryptoKey);
    expect(raw.signingKey.extractable).toBe(false);
    const loaded = await loadBundle('hardened');
    expect(loaded.offlineAuditKey.privateKey).toBeInstanceOf(CryptoKey);
    expect((loaded.offlineAuditKey.privateKey as CryptoKey).extractable).toBe(false);
    const log = createOfflineAuditLog({ signingKey: loaded.offlineAuditKey, logPath: 'hardened-log', durability: 'none' });
    await log.append({ action: 'sensor.read', agentDID: 'did:key:z6MkAgent', grantId: 'grnt_01HX', scopes: ['sensor:read'], result: 'success' });
    expect(await verifyChain(await log.entries(), { publicKey: bundle.offlineAuditKey.publicKey })).toEqual({ valid: true, count: 1 });
    await log.close();
  });

  it('missing and deleted records are BUNDLE_NOT_FOUND; deleteBundle says whether there was one, as on Node', async () => {
    await expect(loadBundle('never-stored')).rejects.toMatchObject({ code: 'BUNDLE_NOT_FOUND' });
    await storeBundle(bundle, 'temp');
    expect(await deleteBundle('temp')).toBe(true);
    expect(await deleteBundle('temp')).toBe(false);
    await expect(loadBundle('temp')).rejects.toMatchObject({ code: 'BUNDLE_NOT_FOUND' });
    expect(await readRaw('device-key')).toBeInstanceOf(CryptoKey); // other bundles still open
  });

  // Interleaving injected with a spy: another tab stores its device key while this one is generating its own.
  it('a device key another tab stored while this one was generating wins, so bundles that tab sealed stay readable', async () => {
    await putRaw('device-key');
    const otherTab = (await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])) as CryptoKey;
    const generate = crypto.subtle.generateKey.bind(crypto.subtle);
    const spy = vi.spyOn(crypto.subtle, 'generateKey').mockImplementation(async (...args: Parameters<typeof generate>) => {
      await putRaw('device-key', otherTab);
      return generate(...args);
    });
    try {
      await storeBundle(bundle, 'sealed-by-other-tab', otherTab);
      const mine = await getDeviceKey();
      expect(spy).toHaveBeenCalledTimes(1);
      expect(await loadBundle('sealed-by-other-tab', mine)).toEqual({ ...bundle, hwmRequired: true });
    } finally {
      spy.mockRestore();
    }
    expect(await loadBundle('sealed-by-other-tab')).toEqual({ ...bundle, hwmRequired: true }); // and the kept device key is that one
  });
});

describe('device key', () => {
  it('concurrent first uses agree on one key: whatever any of them sealed opens with the stored key', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open('offline-consent-bundles');
      req.onsuccess = () => {
        const tx = req.result.transaction('bundles', 'readwrite');
        tx.objectStore('bundles').delete('device-key');
        tx.oncomplete = () => (req.result.close(), resolve());
        tx.onerror = () => reject(tx.error);
      };
      req.onerror = () => reject(req.error);
    });
    const keys = await Promise.all(Array.from({ length: 5 }, () => getDeviceKey()));
    // Each read is a structured clone, so compare by effect: whatever one sealed, the stored key opens.
    const stored = await getDeviceKey();
    for (const k of keys) expect(await openBundle(await sealBundle(bundle, k), stored)).toEqual({ ...bundle, hwmRequired: true });
    await Promise.all(['a', 'b', 'c'].map((n) => storeBundle(bundle, `race-${n}`)));
    for (const n of ['a', 'b', 'c']) expect(await loadBundle(`race-${n}`)).toEqual({ ...bundle, hwmRequired: true });
  });
});
