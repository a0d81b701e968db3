// examples/browser-agent end to end: built by its own build.mjs (esbuild, the package's browser
// build), served from one loopback origin, with a real authority on another that allows it by
// CORS. In Debian's Chromium the page redeems the code from its URL, guards two tools, syncs
// with device proofs and reports in the page; the authority must then hold its trail, verifying.
// A reload needs no code. The same page then runs in WebKit (WebKitGTK over WebDriver).
// Screenshots at 1280 and 360 px go to /tmp/examples-shots/.
import { execFile } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWebKit } from '../../../scripts/webkit.mjs';
import { verifyChain, type SignedAuditEntry } from '../../../src/index.js';
import { startExampleAuthority, type ExampleAuthority } from './authority.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const SHOTS = '/tmp/examples-shots';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Serves the built folder, and only it, on a loopback port of its own. */
async function serveStatic(dir: string): Promise<{ origin: string; server: Server }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };
  const server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1) || 'index.html';
    const file = join(dir, name);
    if (!/^[\w.-]+$/.test(name) || !existsSync(file)) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': types[/\.\w+$/.exec(name)![0]] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let out: string;
let site: { origin: string; server: Server };
let authority: ExampleAuthority;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const seen: Request[] = [];

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'oc-browser-agent-'));
  const built = await promisify(execFile)(process.execPath, ['examples/browser-agent/build.mjs', '--outdir', out], { cwd: ROOT });
  expect(built.stdout).toContain(`built ${join(out, 'app.js')}`);
  site = await serveStatic(out);
  authority = await startExampleAuthority({ corsOrigins: [site.origin] });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.on('request', (r) => seen.push(r));
  page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await authority?.close();
  await new Promise((r) => site?.server.close(r));
  if (out) rmSync(out, { recursive: true, force: true });
});

/** Waits for the page to say it is done or failed; returns what it shows. */
async function finished(p: Page) {
  await p.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 20_000 });
  const text = (id: string) => p.locator(`#${id}`).innerText();
  return {
    state: await p.getAttribute('body', 'data-state'),
    error: await text('error'),
    bundle: await text('bundle'),
    scopes: await text('scopes'),
    key: await text('key'),
    calls: (await p.locator('#calls li').allInnerTexts()).map((t) => t.trim()),
    sync: await text('sync'),
  };
}

async function storedTrail(bundleId: string): Promise<{ entries: SignedAuditEntry[]; spans: any[] }> {
  const { entries } = await authority.backend('GET', `/v1/consent-bundles/${bundleId}/audit`);
  const { auditKeySpans } = await authority.backend('GET', `/v1/consent-bundles/${bundleId}`);
  return { entries, spans: auditKeySpans };
}

describe('examples/browser-agent', () => {
  let bundleId = '';

  it('the build bundles the browser build of the package (IndexedDB storage included)', () => {
    const app = readFileSync(join(out, 'app.js'), 'utf8');
    expect(app).toContain('offline-consent-bundles');
    expect(app).not.toMatch(/from\s*["']offline-consent["']/);
  });

  it('redeems the code from its URL, guards two tools, syncs cross-origin with device proofs; the authority holds the trail', async () => {
    const { code } = await authority.agentWithCode(['sensor:read', 'thermostat:write'], ['sensor:read']);
    expect(new URL(site.origin).port).not.toBe(new URL(authority.url).port);
    await page.goto(`${site.origin}/?authority=${encodeURIComponent(authority.url)}&code=${code}`);
    const shown = await finished(page);
    expect(shown.error).toBe('');
    expect(shown.state).toBe('done');
    expect(shown.bundle).toMatch(/^cb_\w+$/);
    bundleId = shown.bundle;
    expect(shown.scopes).toBe('sensor:read');
    expect(shown.key).toBe('Ed25519, non-extractable CryptoKey');
    expect(shown.calls).toEqual(['sensor.read → 21.5 °C', 'thermostat.set 22 °C → refused: SCOPE_VIOLATION']);
    expect(shown.sync).toBe(`2 new entries synced to ${authority.url}, 2 in the trail; consent valid.`);
    expect(new URL(page.url()).searchParams.has('code')).toBe(false);

    const { entries, spans } = await storedTrail(bundleId);
    expect(entries.map((e) => [e.seq, e.action, e.result])).toEqual([[1, 'sensor.read', 'success'], [2, 'thermostat.set', 'scope_violation']]);
    expect(await verifyChain(entries, { keys: spans })).toEqual({ valid: true, count: 2 });
    // The sync went from the page's origin to the authority's, signed by the device, with no API key anywhere.
    const sync = seen.find((r) => r.url() === `${authority.url}/v1/audit/offline-sync` && r.method() === 'POST');
    const headers = await sync!.allHeaders();
    expect(headers['oc-device-proof']).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(headers.origin).toBe(site.origin);
    expect((await sync!.response())?.status()).toBe(200);
    for (const r of seen) expect(`${r.url()} ${JSON.stringify(await r.allHeaders())} ${r.postData() ?? ''}`).not.toContain(authority.apiKey);

    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'browser-agent-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 360, height: 740 });
    await page.screenshot({ path: join(SHOTS, 'browser-agent-360.png'), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'no horizontal scrolling at 360 px').toBe(0);
  });

  it('a reload needs no code: the bundle comes back from IndexedDB, and only the new entries sync', async () => {
    await page.reload();
    const shown = await finished(page);
    expect(shown.error).toBe('');
    expect(shown.bundle).toBe(bundleId);
    expect(shown.sync).toBe(`2 new entries synced to ${authority.url}, 4 in the trail; consent valid.`);
    const { entries, spans } = await storedTrail(bundleId);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(await verifyChain(entries, { keys: spans })).toEqual({ valid: true, count: 4 });
  });

  it('a bogus code in a fresh profile: the page says Failed and shows the authority\'s error', async () => {
    const fresh = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const other = await fresh.newPage();
    await other.goto(`${site.origin}/?authority=${encodeURIComponent(authority.url)}&code=oce_${'A'.repeat(32)}`);
    const shown = await finished(other);
    await other.screenshot({ path: join(SHOTS, 'browser-agent-error-360.png'), fullPage: true });
    await fresh.close();
    expect(shown.state).toBe('error');
    expect(shown.error).toMatch(/^Enrollment failed: .+ \(HTTP 404, ENROLLMENT_NOT_FOUND\)$/);
    expect(shown.calls).toEqual([]);
  });

  it('in WebKit too: redeem, two guarded tools, cross-origin sync with device proofs, and a reload that needs no code', async () => {
    const { code } = await authority.agentWithCode(['sensor:read', 'thermostat:write'], ['sensor:read']);
    const webkit = await launchWebKit();
    try {
      const { driver } = webkit;
      const shown = async () => {
        await driver.wait(async () => /^(done|error)$/.test(String(await driver.executeScript('return document.body?.dataset.state'))), 20_000);
        return driver.executeScript(`const t = (id) => document.getElementById(id).innerText.trim();
          return { state: document.body.dataset.state, error: t('error'), bundle: t('bundle'), key: t('key'), calls: [...document.querySelectorAll('#calls li')].map((li) => li.innerText.trim()), sync: t('sync') };`) as Promise<Record<string, any>>;
      };
      await driver.get(`${site.origin}/?authority=${encodeURIComponent(authority.url)}&code=${code}`);
      const first = await shown();
      expect(first.error).toBe('');
      expect(first).toMatchObject({ state: 'done', key: 'Ed25519, non-extractable CryptoKey', calls: ['sensor.read → 21.5 °C', 'thermostat.set 22 °C → refused: SCOPE_VIOLATION'] });
      expect(first.sync).toBe(`2 new entries synced to ${authority.url}, 2 in the trail; consent valid.`);
      writeFileSync(join(SHOTS, 'browser-agent-webkit.png'), await driver.takeScreenshot(), 'base64');

      await driver.navigate().refresh();
      const again = await shown();
      expect(again.bundle).toBe(first.bundle);
      expect(again.sync).toBe(`2 new entries synced to ${authority.url}, 4 in the trail; consent valid.`);
      const { entries, spans } = await storedTrail(first.bundle);
      expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect(await verifyChain(entries, { keys: spans })).toEqual({ valid: true, count: 4 });
    } finally {
      await webkit.close();
    }
  });
});
