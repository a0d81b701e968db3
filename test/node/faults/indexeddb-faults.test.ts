// IndexedDB faults in real Chromium (Playwright, persistent profile, Chrome DevTools Protocol):
// a quota too small for the next write (Storage.overrideQuotaForOrigin), a version change
// asked for by another connection while the log is open, and the database closed underneath
// (site data cleared). Typed errors, and no corruption: what was acknowledged reopens and verifies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import vectors from '../../vectors/interop-vectors.json';
import { CHROMIUM, CHROMIUM_ARGS, servePage } from '../browser-page.js';

// Page helpers: entries with padding, settled results as codes, the log under test in `g`.
const HELPERS = `
globalThis.g = {};
// Random hex padding: IndexedDB compresses values, so repeated characters would cost no quota.
const noise = (n) => Array.from(crypto.getRandomValues(new Uint8Array(n >> 1)), (b) => b.toString(16).padStart(2, '0')).join('');
globalThis.entry = (i, pad = 100) => ({ action: 'sensor.read', agentDID: 'did:example:pi', grantId: 'grant_1', scopes: ['sensor:read'], result: 'success', metadata: { i, pad: noise(pad) } });
globalThis.range = (n, from = 0) => Array.from({ length: n }, (_, i) => from + i);
globalThis.codes = async (promises) => (await Promise.allSettled(promises)).map((r) => r.status === 'fulfilled' ? 'ok' : (r.reason?.code ?? r.reason?.name ?? String(r.reason)));
globalThis.causeName = (p) => p.then(() => 'ok', (e) => e?.cause?.name ?? e?.name);
`;

const KEY = vectors.auditKey;
const bundle = vectors.legacyBundle.bundle;
const profile = mkdtempSync(join(tmpdir(), 'oc-idb-faults-'));
let site: Awaited<ReturnType<typeof servePage>>;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;

beforeAll(async () => {
  site = await servePage(HELPERS);
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  page = await context.newPage();
  await page.goto(`${site.origin}/`);
  await page.waitForFunction(() => 'oc' in globalThis);
  cdp = await context.newCDPSession(page);
});
afterAll(async () => {
  await context?.close();
  await site?.close();
  rmSync(profile, { recursive: true, force: true });
});

/** Opens (or reopens) the log `name` in the page as g.log and reports its state. */
const reopen = (name: string) =>
  page.evaluate(async ({ name, key }) => {
    const { oc, g } = globalThis as any;
    await g.log?.close();
    g.log = oc.createOfflineAuditLog({ signingKey: key, logPath: name });
    const entries = await g.log.entries();
    return { head: await g.log.head(), verify: await g.log.verify(), seqs: entries.map((e: { seq: number }) => e.seq), hashes: entries.map((e: { hash: string }) => e.hash) };
  }, { name, key: KEY });

describe('IndexedDB audit log and bundle store under faults (Chromium, CDP)', () => {
  // Runs first: Chromium reads an origin's quota when its IndexedDB is first used and
  // re-reads it only when a write outgrows the space it then had, so the override comes first.
  it('quota exceeded (Storage.overrideQuotaForOrigin): appends are AUDIT_WRITE_FAILED, storeBundle BUNDLE_WRITE_FAILED; nothing acknowledged is lost and the same writes succeed once the quota returns', async () => {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: site.origin, quotaSize: 4 * 1024 * 1024 });
    let acked: string[] = [];
    try {
      await reopen('quota');
      acked = await page.evaluate(async (b) => {
        const { g, entry, range, oc } = globalThis as any;
        await oc.storeBundle(b, 'pi');
        return (await Promise.all(range(20).map((i: number) => g.log.append(entry(i))))).map((e: { hash: string }) => e.hash);
      }, bundle);
      const refused = await page.evaluate(async () => {
        const { g, entry, range, codes, causeName, oc } = globalThis as any;
        // 130 entries of 50 KB (under the 60,000-byte metadata rule): one group commit of 6.5 MB, over the 4 MB quota.
        const appends = range(130).map((i: number) => g.log.append(entry(100 + i, 50_000)));
        const burst: string[] = await codes(appends);
        const cause = await causeName(appends[0]);
        const big = { ...(await oc.loadBundle('pi')), bundleId: 'x'.repeat(5_000_000) }; // sealed: incompressible
        const store = await oc.storeBundle(big, 'pi').then(() => 'ok', (e: any) => `${e.name}:${e.code}:${e.cause?.name}`);
        return { burst: [...new Set(burst)], cause, store, head: await g.log.head(), verify: await g.log.verify(), bundleId: (await oc.loadBundle('pi')).bundleId };
      });
      expect(refused).toMatchObject({ burst: ['AUDIT_WRITE_FAILED'], cause: 'QuotaExceededError', store: 'BundleWriteError:BUNDLE_WRITE_FAILED:QuotaExceededError' });
      expect(refused.head).toMatchObject({ seq: 20, hash: acked[19] });
      expect(refused.verify).toEqual({ valid: true, count: 20 });
      expect(refused.bundleId).toBe(bundle.bundleId); // the stored bundle is the old one, intact
      // Reopened while still over quota: valid, every acknowledged entry there.
      expect(await reopen('quota')).toMatchObject({ head: { seq: 20, hash: acked[19] }, verify: { valid: true, count: 20 }, hashes: acked });
    } finally {
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: site.origin }); // back to the default
    }
    const resumed = await page.evaluate(async () => {
      const { g, entry, range } = globalThis as any;
      const burst = await Promise.all(range(130).map((i: number) => g.log.append(entry(100 + i, 50_000))));
      return { first: burst[0].seq, prevHash: burst[0].prevHash, verify: await g.log.verify() };
    });
    expect(resumed).toEqual({ first: 21, prevHash: acked[19], verify: { valid: true, count: 150 } });
  }, 60_000);

  it('a version change from another connection while the log is open: that side is blocked, the log keeps appending; after close the upgrade runs and every entry reopens and verifies', async () => {
    await reopen('upgrade');
    const seen = await page.evaluate(async () => {
      const { g, entry, range } = globalThis as any;
      const first = await Promise.all(range(10).map((i: number) => g.log.append(entry(i))));
      const name = 'offline-consent-audit:upgrade';
      const { version } = (await indexedDB.databases()).find((d) => d.name === name)!;
      let blocked = false;
      const other = indexedDB.open(name, version! + 1);
      other.onblocked = () => (blocked = true);
      other.onupgradeneeded = () => other.result.createObjectStore('added-by-the-other-tab');
      const upgraded = new Promise<IDBDatabase>((resolve, reject) => ((other.onsuccess = () => resolve(other.result)), (other.onerror = () => reject(other.error))));
      const during = await Promise.all(range(10, 10).map((i: number) => g.log.append(entry(i))));
      await new Promise((r) => setTimeout(r, 50));
      const blockedWhileOpen = blocked;
      await g.log.close();
      g.log = null;
      const db = await upgraded;
      const stores = [...db.objectStoreNames];
      db.close();
      return { blockedWhileOpen, stores, acked: [...first, ...during].map((e: { hash: string }) => e.hash) };
    });
    expect(seen.blockedWhileOpen).toBe(true);
    expect(seen.stores).toEqual(['added-by-the-other-tab', 'audit']);
    expect(await reopen('upgrade')).toMatchObject({ head: { seq: 20, hash: seen.acked[19] }, verify: { valid: true, count: 20 }, hashes: seen.acked });
    expect(await page.evaluate(async () => (await (globalThis as any).g.log.append((globalThis as any).entry(20))).seq)).toBe(21);
  });

  it('the database closed underneath (site data cleared, Storage.clearDataForOrigin): the open log answers AUDIT_WRITE_FAILED and never hangs; reopened it is a valid empty log; the bundle store reopens by itself', async () => {
    await reopen('cleared');
    await page.evaluate(async (b) => {
      const { g, entry, range, oc } = globalThis as any;
      await Promise.all(range(5).map((i: number) => g.log.append(entry(i))));
      await oc.storeBundle(b, 'pi');
    }, bundle);
    await cdp.send('Storage.clearDataForOrigin', { origin: site.origin, storageTypes: 'indexeddb' });
    const after = await page.evaluate(async (b) => {
      const { g, entry, range, codes, oc } = globalThis as any;
      const appends: string[] = await codes(range(3).map((i: number) => g.log.append(entry(10 + i))));
      const load = await oc.loadBundle('pi').then(() => 'ok', (e: any) => e.code);
      await oc.storeBundle(b, 'pi');
      return { appends, load, reloaded: (await oc.loadBundle('pi')).bundleId };
    }, bundle);
    expect(after).toEqual({ appends: ['AUDIT_WRITE_FAILED', 'AUDIT_WRITE_FAILED', 'AUDIT_WRITE_FAILED'], load: 'BUNDLE_NOT_FOUND', reloaded: bundle.bundleId });
    expect(await reopen('cleared')).toMatchObject({ head: null, verify: { valid: true, count: 0 }, seqs: [] });
    expect(await page.evaluate(async () => (await (globalThis as any).g.log.append((globalThis as any).entry(0))).seq)).toBe(1);
  });
});
