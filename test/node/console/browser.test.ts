// The console in Debian's Chromium (Playwright) against a real authority over HTTP (PGlite): the
// operator signs in by keyboard alone, finds the bundle a real enrolled device synced, sees its
// flagged entry highlighted, pages the trail, exports it, mints an enrollment code, and revokes
// the bundle through the confirmation page; the device is then refused at its next sync. A form
// posted from a page on another origin is refused. Every page is screenshot at 1280 and 360 px
// (test-results/console/) and checked for horizontal overflow at 360 px.
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, startAuthority, type RunningAuthority } from '../../../src/authority/index.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../browser-page.js';
import { enrollDevice, type Device } from '../authority/device-client.js';
import { Api } from '../authority/harness.js';
import { appendShaped } from './console-client.js';

const SHOTS = resolve(import.meta.dirname, '../../../test-results/console');
const FAR_FUTURE = '9999-12-31T00:00:00.000Z';

/** Screenshots the page at 1280 and at 360 px wide, and checks it does not overflow sideways at 360. */
async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: join(SHOTS, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 360, height: 780 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} overflows at 360 px`).toBeLessThanOrEqual(0);
  await page.screenshot({ path: join(SHOTS, `${name}-360.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** A page on another origin with a form that posts to the console (what a CSRF attacker serves). */
function attackerSite(target: string, fields: Record<string, string>): Promise<{ server: Server; port: number }> {
  const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`).join('');
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Win a prize</title><form method="post" action="${target}">${inputs}<button id="go">Claim</button></form>`);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, port: (server.address() as AddressInfo).port })));
}

describe('the console in Chromium', () => {
  let server: RunningAuthority;
  let api: Api;
  let device: Device;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const apiKey = generateApiKey();
  const status = async () => (await api.get(`/v1/consent-bundles/${device.bundleId}`)).body.status as string;

  beforeAll(async () => {
    server = await startAuthority({ apiKey, rateLimits: false });
    // In-process calls addressed to the server's URL, so device proofs name the URL the authority expects.
    api = new Api(server.authority, apiKey, server.url);
    ({ device } = await enrollDevice(api, ['sensor:read', 'door:open'], { deviceId: 'pi-kitchen', devicePlatform: 'linux-arm64' }));
    await appendShaped(device, 120, (seq) => (seq === 77 ? { timestamp: FAR_FUTURE } : {}));
    const synced = await device.sync(device.entries);
    expect(synced.body).toMatchObject({ accepted: 120, revocationStatus: 'valid', flagged: [{ seq: 77, flags: ['afterDeadline'] }, { seq: 78, flags: ['clockAnomaly'] }] });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('keyboard only: Tab reaches the API key field and the Sign in button, focus is visible, Enter signs in', async () => {
    await page.goto(`${server.url}/console/sign-in`);
    await shoot(page, '01-sign-in');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    let tabs = 0;
    while ((await page.evaluate(() => document.activeElement?.id)) !== 'api-key' && tabs < 6) {
      await page.keyboard.press('Tab');
      tabs++;
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('api-key');
    await page.keyboard.type('oc_wrong-key-0123456789abcdefghij');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#sign-in-error');
    expect(await page.textContent('#sign-in-error')).toBe('Unknown or revoked API key.');
    await shoot(page, '02-sign-in-refused');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('api-key'); // autofocus again
    await page.keyboard.type(apiKey);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { tag: el.tagName, text: el.textContent, outline: style.outlineStyle, width: style.outlineWidth };
    });
    expect(focused).toMatchObject({ tag: 'BUTTON', text: 'Sign in', outline: 'solid', width: '3px' });
    await Promise.all([page.waitForURL(`${server.url}/console/bundles`), page.keyboard.press('Enter')]);
    const cookie = (await context.cookies()).find((c) => c.name === 'oc_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console', secure: false });
    expect(await page.evaluate(() => document.cookie)).toBe(''); // HttpOnly: no script sees it
  });

  it('finds the synced bundle, sees its flagged entry highlighted, pages the trail and exports it', async () => {
    const row = page.locator('tr', { has: page.locator(`a[href="/console/bundles/${device.bundleId}"]`) });
    await expect.poll(() => row.textContent()).toMatch(/active.*pi-kitchen.*linux-arm64.*120.*flagged entries/s);
    await shoot(page, '03-bundles');
    await page.click(`a[href="/console/bundles/${device.bundleId}"]`);
    await page.waitForSelector('caption');
    expect(await page.textContent('caption')).toBe('Entries 1 to 50');
    await shoot(page, '04-trail-first-page');
    await page.click('a[rel="next"]');
    await page.waitForURL(/after=50$/);
    expect(await page.textContent('caption')).toBe('Entries 51 to 100');
    const flagged = page.locator('#seq-77');
    expect(await flagged.getAttribute('class')).toBe('flagged');
    expect(await flagged.textContent()).toContain('afterDeadline');
    const background = (sel: string) => page.$eval(`${sel} td`, (td) => getComputedStyle(td).backgroundColor);
    expect(await background('#seq-77')).not.toBe(await background('#seq-76'));
    await shoot(page, '05-trail-page-2-flagged-entry');
    await page.click('a[rel="next"]');
    expect(await page.textContent('caption')).toBe('Entries 101 to 120');
    expect(await page.locator('a[rel="next"]').count()).toBe(0);
    await page.click('a[rel="prev"]');
    expect(await page.textContent('caption')).toBe('Entries 51 to 100');
    await page.click('text=Flagged only');
    await page.waitForURL(/flagged=1/);
    expect(await page.$$eval('tbody tr', (rows) => rows.map((r) => r.id))).toEqual(['seq-77', 'seq-78']);
    await shoot(page, '06-trail-flagged-only');
    await page.click('text=All entries');
    // Jump deep into the trail with the seq form, by keyboard.
    await page.focus('#after');
    await page.keyboard.type('110');
    await page.keyboard.press('Enter');
    await page.waitForURL(/after=110/);
    expect(await page.textContent('caption')).toBe('Entries 111 to 120');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Export JSONL')]);
    const lines = readFileSync((await download.path())!, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => e.seq)).toEqual(device.entries.map((e) => e.seq));
    expect(lines[76]).toEqual(device.entries[76]);
  });

  it('the agents page and an enrollment code with its QR code', async () => {
    await page.click('nav[aria-label="Console"] >> text=Agents');
    await page.waitForSelector('h1:text("Agents")');
    await shoot(page, '07-agents');
    await page.click('nav[aria-label="Console"] >> text=Enroll a device');
    await page.waitForSelector('h1:text("Enroll a device")');
    await shoot(page, '08-enroll-form');
    await page.fill('#userId', 'alice');
    await page.fill('#scopes', 'sensor:read');
    await page.fill('#offlineTTL', '24h');
    await page.click('button:text("Create enrollment code")');
    await page.waitForSelector('#code');
    expect(await page.textContent('#code')).toMatch(/^oce_[A-Za-z0-9_-]{32}$/);
    const qr = await page.locator('figure.qr svg').boundingBox();
    expect(qr!.width).toBeGreaterThan(150);
    await shoot(page, '09-enrollment-code');
  });

  it('a form posted from a page on another origin is refused (403) and changes nothing, even with a leaked CSRF token', async () => {
    await page.goto(`${server.url}/console/bundles/${device.bundleId}/revoke`);
    const csrf = (await page.inputValue('input[name="csrf"]'))!;
    const evil = await attackerSite(`${server.url}/console/bundles/${device.bundleId}/revoke`, { csrf, confirm: device.bundleId });
    try {
      // Another port of 127.0.0.1 is the same site, so the SameSite=Strict cookie goes along: only the origin check stops it.
      for (const origin of [`http://127.0.0.1:${evil.port}`, `http://localhost:${evil.port}`]) {
        await page.goto(`${origin}/`);
        const [response] = await Promise.all([page.waitForNavigation(), page.click('#go')]);
        expect(response!.status()).toBe(403);
        expect(await page.textContent('h1')).toBe('Request refused');
        expect(await status()).toBe('active');
      }
      await shoot(page, '10-cross-origin-refused');
    } finally {
      await new Promise((r) => evil.server.close(r));
    }
  });

  it('revokes the bundle through the confirmation page; the device is refused at its next sync', async () => {
    await page.goto(`${server.url}/console/bundles/${device.bundleId}`);
    await page.click('text=Revoke…');
    await page.waitForURL(/\/revoke$/);
    expect(await page.textContent('h1')).toBe(`Revoke ${device.bundleId}?`);
    expect(await status()).toBe('active');
    await shoot(page, '11-revoke-confirm');
    await page.click('button:text("Yes, revoke it")');
    await page.waitForURL(/notice=revoked/);
    expect(await page.textContent('p.notice')).toContain('Revoked');
    expect(await status()).toBe('revoked');
    await shoot(page, '12-revoked');
    await appendShaped(device, 2);
    const sync = await device.sync(device.entries.slice(-2));
    expect(sync.body).toMatchObject({ revocationStatus: 'revoked', accepted: 2, flagged: [{ seq: 121, flags: ['afterRevocation'] }, { seq: 122, flags: ['afterRevocation'] }] });
    await page.goto(`${server.url}/console/bundles/${device.bundleId}?flagged=1`);
    expect(await page.$$eval('tbody tr', (rows) => rows.map((r) => r.id))).toEqual(['seq-77', 'seq-78', 'seq-121', 'seq-122']);
    await shoot(page, '13-revoked-flagged-after-revocation');
  });

  it('an unknown page and signing out', async () => {
    await page.goto(`${server.url}/console/no-such-page`);
    expect(await page.textContent('h1')).toBe('Not found');
    await shoot(page, '14-not-found');
    await page.goto(`${server.url}/console/bundles`);
    await Promise.all([page.waitForURL(/sign-in\?signedOut=1/), page.click('button:text("Sign out")')]);
    expect(await page.textContent('p.notice')).toBe('Signed out.');
    await page.goto(`${server.url}/console/bundles`);
    expect(page.url()).toBe(`${server.url}/console/sign-in`);
  });
});
