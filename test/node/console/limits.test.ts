// The console shows a bundle's grant limits (issue 18): each limit with its use and what is left,
// counted by the authority from the synced trail, and the entries that broke one highlighted with
// the limitExceeded flag like every other flag; the page stays within 1280 and 360 px in Debian's
// Chromium (screenshots in test-results/console/).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, startAuthority, type RunningAuthority } from '../../../src/authority/index.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../browser-page.js';
import { enrollDevice, type Device } from '../authority/device-client.js';
import { Api } from '../authority/harness.js';
import { appendShaped, ConsoleClient } from './console-client.js';

const SHOTS = resolve(import.meta.dirname, '../../../test-results/console');
const LIMITS = [
  { scope: 'door:open', kind: 'rate', max: 2, per: '1h' },
  { scope: 'sensor:read', kind: 'total', max: 3 },
  { scope: 'door:open', kind: 'bounds', arg: 'door', oneOf: ['front', 'back'] },
];

/** The page's sideways overflow at `width` px (0: none), after a full-page screenshot. */
async function overflowAt(page: Page, width: number, name: string): Promise<number> {
  await page.setViewportSize({ width, height: 900 });
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

describe('grant limits in the console', () => {
  let server: RunningAuthority;
  let api: Api;
  let device: Device;
  let browser: Browser;
  const apiKey = generateApiKey();

  beforeAll(async () => {
    server = await startAuthority({ apiKey, rateLimits: false });
    api = new Api(server.authority, apiKey, server.url);
    ({ device } = await enrollDevice(api, ['sensor:read', 'door:open'], { limits: LIMITS, deviceId: 'pi-hall' }));
    // seq 3 and 6 open a door (6 the garage: out of bounds); 1, 2, 4, 5 read a sensor (5 is the fourth of 3).
    await appendShaped(device, 6, (seq) => (seq % 3 === 0 ? { metadata: { limitArgs: { door: seq === 6 ? 'garage' : 'front' } } } : { metadata: {} }));
    const synced = await device.sync(device.entries);
    expect(synced.body.flagged).toEqual([{ seq: 5, flags: ['limitExceeded'] }, { seq: 6, flags: ['limitExceeded'] }]);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("the bundle's page lists each limit with used and remaining, and highlights the entries that broke one", async () => {
    const client = new ConsoleClient(server.authority, server.url);
    await client.signIn(apiKey);
    const { status, html } = await client.get(`/console/bundles/${device.bundleId}`);
    expect(status).toBe(200);
    expect(html).toContain('<h2 id="limits">Limits</h2>');
    const rows = [...html.matchAll(/<tr( class="spent")?><td class="wide" data-label="Scope"><code>([^<]+)<\/code><\/td><td data-label="Limit">([^<]+)<\/td><td data-label="Used">(.*?)<\/td><td data-label="Remaining">(.*?)<\/td>/g)].map((m) => [
      m[2], m[3], m[4]!.replace(/<[^>]+>/g, ''), m[5]!.replace(/<[^>]+>/g, ''), !!m[1],
    ]);
    expect(rows).toEqual([
      ['door:open', '2 calls per 1h', '2', '0 left', true],
      ['sensor:read', '3 calls in total', '4', '0 left', true],
      ['door:open', 'door one of &quot;front&quot;, &quot;back&quot;', '—', '—', false],
    ]);
    for (const seq of [5, 6]) expect(html).toMatch(new RegExp(`<tr class="flagged" id="seq-${seq}">.*?⚑ limitExceeded`, 's'));
    expect(html).not.toMatch(/<tr class="flagged" id="seq-4">/);
    const flaggedOnly = await client.get(`/console/bundles/${device.bundleId}?flagged=1`);
    expect([...flaggedOnly.html.matchAll(/id="seq-(\d+)"/g)].map((m) => Number(m[1]))).toEqual([5, 6]);
  });

  it('a bundle without limits shows no limits section', async () => {
    const { device: plain } = await enrollDevice(api, ['sensor:read']);
    const client = new ConsoleClient(server.authority, server.url);
    await client.signIn(apiKey);
    const { html } = await client.get(`/console/bundles/${plain.bundleId}`);
    expect(html).not.toContain('id="limits"');
  });

  it('in Chromium the limits table and the flagged rows fit 1280 and 360 px without sideways overflow', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}/console/sign-in`);
    await page.fill('#api-key', apiKey);
    await Promise.all([page.waitForURL(/\/console\/bundles$/), page.click('button[type="submit"]')]);
    await page.goto(`${server.url}/console/bundles/${device.bundleId}`);
    expect(await page.locator('table.limits tbody tr').count()).toBe(3);
    expect(await page.locator('tr.flagged', { hasText: 'limitExceeded' }).count()).toBe(2);
    expect(await overflowAt(page, 1280, '20-limits')).toBeLessThanOrEqual(0);
    expect(await overflowAt(page, 360, '20-limits')).toBeLessThanOrEqual(0);
    // At 360 px each limit is a card: its cells stack inside the viewport.
    const box = await page.locator('table.limits tbody tr').first().boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(360);
    await page.close();
  });
});
