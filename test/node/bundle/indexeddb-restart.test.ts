// The browser store across a real page reload and a full browser restart: Chromium (Playwright)
// on a persistent profile, a page on loopback that loads the browser entry. What must survive
// is the keys' non-extractability, not just the bytes.
import { mkdtempSync, rmSync } from 'node:fs';
import { verify } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import vectors from '../../vectors/interop-vectors.json';
import { CHROMIUM, servePage } from '../browser-page.js';

const bundle = vectors.legacyBundle.bundle;
const profile = mkdtempSync(join(tmpdir(), 'oc-chromium-profile-'));
let origin = '';
let site: Awaited<ReturnType<typeof servePage>>;

beforeAll(async () => {
  site = await servePage();
  origin = `${site.origin}/`; // one origin for every session
});
afterAll(async () => {
  await site.close();
  rmSync(profile, { recursive: true, force: true });
});

/** Starts Chromium on the shared profile, opens the page, runs `fn`, and quits the browser. */
async function session<T>(fn: (page: Page) => Promise<T>): Promise<T> {
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--no-first-run'] });
  try {
    const page = await context.newPage();
    await page.goto(origin);
    await page.waitForFunction(() => 'oc' in globalThis);
    return await fn(page);
  } finally {
    await context.close();
  }
}

/** In the page: load the bundle stored as "pi" and report what its keys allow. */
const inspect = (page: Page) =>
  page.evaluate(async () => {
    const oc = (globalThis as any).oc;
    const loaded = await oc.loadBundle('pi');
    const signingKey: CryptoKey = loaded.offlineAuditKey.privateKey;
    const deviceKey: CryptoKey = await oc.getDeviceKey();
    const refused = (p: Promise<unknown>) => p.then(() => false, () => true);
    const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', signingKey, new TextEncoder().encode('after restart')));
    // What is sealed at rest: open the record with the device key and look at its private key field.
    const record = await new Promise<any>((done, fail) => {
      const open = indexedDB.open('offline-consent-bundles');
      open.onsuccess = () => {
        const get = open.result.transaction('bundles').objectStore('bundles').get('bundle:pi');
        get.onsuccess = () => (open.result.close(), done(get.result));
        get.onerror = () => fail(get.error);
      };
      open.onerror = () => fail(open.error);
    });
    const sealedCopy = await oc.openBundle(record.sealed, deviceKey);
    return {
      signingKey: { isCryptoKey: signingKey instanceof CryptoKey, extractable: signingKey.extractable, type: signingKey.type, algorithm: signingKey.algorithm.name, usages: signingKey.usages },
      deviceKeyExtractable: deviceKey.extractable,
      exportRefused: (await refused(crypto.subtle.exportKey('pkcs8', signingKey))) && (await refused(crypto.subtle.exportKey('raw', deviceKey))),
      signature: Array.from(signature),
      sealedPrivateKey: sealedCopy.offlineAuditKey.privateKey as string,
      grantToken: loaded.grantToken as string,
    };
  });

describe('IndexedDB bundle store across reload and browser restart (Chromium, persistent profile)', () => {
  it('keeps the device key and the audit signing key non-extractable, and the PEM never at rest', async () => {
    const reloaded = await session(async (page) => {
      await page.evaluate((b) => (globalThis as any).oc.storeBundle(b, 'pi', undefined, { keepSigningKeyAsCryptoKey: true }), bundle);
      await page.reload();
      await page.waitForFunction(() => 'oc' in globalThis);
      return inspect(page);
    });
    const restarted = await session(inspect);
    for (const seen of [reloaded, restarted]) {
      expect(seen.signingKey).toEqual({ isCryptoKey: true, extractable: false, type: 'private', algorithm: 'Ed25519', usages: ['sign'] });
      expect(seen.deviceKeyExtractable).toBe(false);
      expect(seen.exportRefused).toBe(true);
      expect(seen.grantToken).toBe(bundle.grantToken);
      // The key still signs, and signs as the bundle's audit key.
      expect(verify(null, Buffer.from('after restart'), bundle.offlineAuditKey.publicKey, Buffer.from(seen.signature))).toBe(true);
      const pemBody = bundle.offlineAuditKey.privateKey.split('\n')[1]!;
      expect(seen.sealedPrivateKey).not.toContain(pemBody);
    }
  }, 60_000);
});
