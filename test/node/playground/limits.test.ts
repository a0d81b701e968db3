// Grant limits in the playground (issue 18), in Debian's Chromium against the real embedded
// authority: the consent form offers limits on the demo scopes, the backend checks them and
// asks the authority to sign them into the grant, the page's guard enforces them offline
// (a call out of bounds or over the rate is refused, audited, and the agent goes on), the
// usage shows beside the bundle, and a reload keeps it (counted from the trail in IndexedDB).
// Screenshots: test-results/playground/limits-*.png.
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS_CLAIM } from '../../../src/index.js';
import { auditRows, openPage, press, say, shot, startRun, text, type PlaygroundRun } from './page.js';

let run: PlaygroundRun;
let page: Page;

beforeAll(async () => {
  run = await startRun();
  page = run.page;
}, 120_000);

afterAll(() => run?.close());

/** The limit lines beside the bundle. */
const usage = (tab: Page) => tab.$$eval('#b-limits li', (items) => items.map((li) => li.textContent ?? ''));

/** Each audit row's "why" cell, oldest first. */
const whys = (tab: Page) => tab.$$eval('#audit-rows tr', (rows) => rows.map((r) => r.querySelector('td.why')?.textContent ?? '').reverse());


describe('playground grant limits (scripted engine, real page, real authority)', () => {
  let bundleId = '';

  it('the consent form offers limits on the demo scopes: unticked, with defaults from the tools, each only with its scope', async () => {
    const offered = await page.$$eval('#limit-list label.limit', (rows) => rows.map((r) => ({
      id: (r.querySelector('input[type=checkbox]') as HTMLInputElement).id,
      text: [...r.querySelector('span')!.childNodes].map((n) => (n instanceof HTMLInputElement ? `[${n.value}]` : n.textContent)).join(''),
      ticked: (r.querySelector('input[type=checkbox]') as HTMLInputElement).checked,
      off: (r.querySelector('input[type=checkbox]') as HTMLInputElement).disabled,
    })));
    expect(offered).toEqual([
      { id: 'limit-thermostat-bounds', text: 'Thermostat only [16] to [26] °C', ticked: false, off: false },
      { id: 'limit-thermostat-rate', text: 'Thermostat at most [3] changes per hour', ticked: false, off: false },
      { id: 'limit-email-total', text: 'Email at most [5] messages in all', ticked: false, off: true }, // email:send is not ticked
    ]);
    expect(await page.isDisabled('#limit-thermostat-rate-max')).toBe(true); // a number is changed once its limit is ticked
    await page.click('#scope-3');
    expect(await page.isEnabled('#limit-email-total')).toBe(true);
    await page.click('#scope-3');
    expect(await page.isDisabled('#limit-email-total')).toBe(true);
    expect(await page.getByRole('spinbutton', { name: 'Most thermostat changes per hour', exact: true }).count()).toBe(1);
  });

  it('consent with two limits: the backend passes exactly them to the authority, and they are signed into the grant', async () => {
    await page.check('#limit-thermostat-bounds');
    await page.check('#limit-thermostat-rate');
    expect(await page.isEnabled('#limit-thermostat-rate-max')).toBe(true);
    await shot(page, 'limits-01-consent-form');
    await press(page, 'provision');
    await page.waitForSelector('#bundle-status:not([hidden])');
    bundleId = await text(page, '#b-id');
    expect(bundleId).toMatch(/^cb_/);
    expect(await text(page, '#consent-msg')).toMatch(/^Consent bundle cb_\S+ redeemed with an audit key/);
    const sent = run.requests.filter((r) => r.url.endsWith('/playground/consent')).map((r) => JSON.parse(r.body));
    expect(sent.at(-1)!.limits).toEqual([
      { scope: 'thermostat:write', kind: 'bounds', arg: 'celsius', min: 16, max: 26 },
      { scope: 'thermostat:write', kind: 'rate', per: '1h', max: 3 },
    ]);
    // The page reads them from the grant token it redeemed: the authority signed them in.
    expect(await usage(page)).toEqual(['thermostat: 16–26 °C', 'thermostat: 0 of 3 changes this hour']);
    expect(await text(page, '#transcript')).toMatch(/with 2 limits\.$/);
  });

  it('a call out of bounds is refused (LIMIT_EXCEEDED, in the transcript and the audit table) and uses none of the rate', async () => {
    await say(page, 'Set the office thermostat to 27');
    const refused = await text(page, '#transcript li.tool.denied');
    expect(refused).toMatch(/thermostat\.set.*\n✗ refused: LIMIT_EXCEEDED — Limit exceeded: argument "celsius" is 27, outside 16\.\.26/s);
    expect(await text(page, '#transcript li.model:last-child')).toMatch(/^I can't do that: .*\(LIMIT_EXCEEDED\)\.$/);
    expect(await auditRows(page)).toEqual([{ seq: 1, action: 'thermostat.set', result: 'scope_violation' }]);
    expect(await whys(page)).toEqual(['LIMIT_EXCEEDED (bounds: 16–26 °C)']);
    expect(await usage(page)).toEqual(['thermostat: 16–26 °C', 'thermostat: 0 of 3 changes this hour']);
  });

  it('four changes in one turn: three run, the fourth is refused by the rate and the agent goes on; usage reads 3 of 3', async () => {
    await say(page, 'Set the kitchen thermostat to 19, 20, 21 and 22');
    const cards = await page.$$eval('#transcript li.tool', (items) => items.slice(-4).map((li) => [li.className, li.textContent ?? '']));
    expect(cards.map(([cls]) => cls)).toEqual(['tool allowed', 'tool allowed', 'tool allowed', 'tool denied limit']);
    expect(cards[3]![1]).toMatch(/"celsius":22.*✗ refused: LIMIT_EXCEEDED — Limit exceeded: rate limit of 3 on thermostat:write per 1h reached; frees at \d{1,2}:\d{2}:\d{2}( [AP]M)?$/s);
    // The agent answered for every call, the refused one included.
    expect(await text(page, '#transcript li.model:last-child')).toMatch(/^Done: the kitchen thermostat is set to 19 °C\.\nDone: .* 20 °C\.\nDone: .* 21 °C\.\nI can't do that: .*\(LIMIT_EXCEEDED\)\.$/);
    expect(await auditRows(page)).toEqual([
      { seq: 1, action: 'thermostat.set', result: 'scope_violation' },
      { seq: 2, action: 'thermostat.set', result: 'success' },
      { seq: 3, action: 'thermostat.set', result: 'success' },
      { seq: 4, action: 'thermostat.set', result: 'success' },
      { seq: 5, action: 'thermostat.set', result: 'scope_violation' },
    ]);
    expect((await whys(page))[4]).toBe('LIMIT_EXCEEDED (rate: 3 per 1h)');
    const lines = await usage(page);
    expect(lines[1]).toMatch(/^thermostat: 3 of 3 changes this hour, frees \d{1,2}:\d{2}/);
    expect(await page.getAttribute('#b-limits li:nth-child(2)', 'class')).toBe('full');
    expect(await text(page, '#chain-badge')).toMatch(/Chain verified: 5 entries/);
    // Other tools are not limited, and the chat stays on.
    await say(page, 'How warm is the kitchen?');
    expect((await auditRows(page)).at(-1)).toEqual({ seq: 6, action: 'sensor.read', result: 'success' });
    expect(await page.isEnabled('#chat-input')).toBe(true);
    await shot(page, 'limits-02-refused');
  });

  it('after a reload the usage is the same (counted from the trail in IndexedDB), and the limit still holds', async () => {
    await openPage(page, run.server.url);
    expect(await text(page, '#b-id')).toBe(bundleId);
    expect((await usage(page))[1]).toMatch(/^thermostat: 3 of 3 changes this hour, frees /);
    expect((await whys(page))[4]).toBe('LIMIT_EXCEEDED (rate: 3 per 1h)');
    await say(page, 'Set the bedroom thermostat to 18');
    expect(await text(page, '#transcript li.tool.denied')).toMatch(/LIMIT_EXCEEDED — Limit exceeded: rate limit of 3/);
    expect((await auditRows(page)).at(-1)).toEqual({ seq: 7, action: 'thermostat.set', result: 'scope_violation' });
  });

  it('the authority accepts the trail at sync, refusals included', async () => {
    await press(page, 'sync');
    expect(await text(page, '#sync-msg')).toMatch(/7 accepted, 0 rejected, grant valid/);
  });

  it('at 360 px the form, the usage and the audit table (with its why column) fit the screen', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    try {
      const fit = await page.evaluate(() => {
        const wrap = document.querySelector('#audit .table-wrap')!;
        const cut = [...document.querySelectorAll<HTMLElement>('#audit th, #audit td, #b-limits li')].filter((c) => c.offsetParent !== null)
          .filter((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5 || c.scrollWidth > c.clientWidth + 0.5).map((c) => c.textContent);
        return { page: document.documentElement.scrollWidth, table: wrap.scrollWidth - wrap.clientWidth, cut };
      });
      expect(fit).toEqual({ page: 360, table: 0, cut: [] });
      await shot(page, 'limits-03-360');
      // The consent form, with its limit rows, fits too.
      await page.click('#forget');
      await page.waitForSelector('#consent-form:not([hidden])');
      await page.waitForFunction(() => !(document.getElementById('provision') as HTMLButtonElement).disabled);
      await page.check('#limit-thermostat-rate');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(360);
      const rows = await page.$$eval('#limit-list label.limit', (ls) => ls.map((l) => l.getBoundingClientRect().right <= window.innerWidth));
      expect(rows).toEqual([true, true, true]);
      await shot(page, 'limits-04-form-360');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
});

describe('playground server: limits are checked before the authority sees them', () => {
  const post = async (body: unknown) => {
    const { sessionToken } = await (await fetch(new URL('/playground/session', run.server.url), { method: 'POST' })).json();
    const res = await fetch(new URL('/playground/consent', run.server.url), {
      method: 'POST', headers: { authorization: `Bearer ${sessionToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const scopes = ['sensor:read', 'thermostat:write'];
  const rate = { scope: 'thermostat:write', kind: 'rate', per: '1h', max: 3 };

  it.each([
    ['not an array', { scope: 'x' }, /limits must be an array/],
    ['a kind not offered', [{ scope: 'thermostat:write', kind: 'total', max: 3 }], /not one the playground offers/],
    ['another window', [{ ...rate, per: '1m' }], /not one the playground offers/],
    ['a scope not asked for', [{ scope: 'email:send', kind: 'total', max: 5 }], /a scope not asked for/],
    ['a max out of range', [{ ...rate, max: 0 }], /"max" must be a whole number from 1 to 100/],
    ['a fraction', [{ ...rate, max: 2.5 }], /"max" must be a whole number/],
    ['an extra field', [{ ...rate, unit: 'EUR' }], /unknown field "unit"/],
    ['the same offer twice', [rate, rate], /repeats an offer/],
    ['inverted bounds', [{ scope: 'thermostat:write', kind: 'bounds', arg: 'celsius', min: 25, max: 18 }], /"min" is above "max"/],
    ['bounds wider than the tool', [{ scope: 'thermostat:write', kind: 'bounds', arg: 'celsius', min: 5, max: 26 }], /"min" must be a whole number from 10 to 28/],
  ])('refuses %s with 400 INVALID_LIMITS', async (_name, limits, message) => {
    const { status, body } = await post({ scopes, offlineTTL: '1h', limits });
    expect([status, body.code]).toEqual([400, 'INVALID_LIMITS']);
    expect(body.message).toMatch(message);
  });

  it('mints a code for offered limits, and the grant it becomes carries them in its signed claim', async () => {
    const limits = [{ scope: 'thermostat:write', kind: 'bounds', arg: 'celsius', min: 18, max: 22 }, rate];
    const { status, body } = await post({ scopes, offlineTTL: '1h', limits });
    expect(status).toBe(201);
    const { generateKeyPairSync } = await import('node:crypto');
    const auditPublicKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const redeemed = await fetch(new URL('/v1/enrollments/redeem', run.server.authorityUrl), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: body.code, auditPublicKey }),
    });
    expect(redeemed.status).toBe(201);
    const bundle = await redeemed.json();
    const token: string = bundle.grantToken ?? bundle.data?.grantToken;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims[LIMITS_CLAIM]).toEqual(limits);
  });
});
