// The playground in Firefox ESR (Debian's, over WebDriver BiDi with playwright-core 1.54):
// no WebGPU there, so the scripted engine; consent (a code redeemed at the authority's own
// origin, non-extractable key), an allowed and a denied call, reload, sync, refresh (a new
// key made in Gecko), revoke, refusal — the same library paths as in Chromium, in Gecko.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlayground, type RunningPlayground } from '../../../playground/server/app.js';
import { PAGE_DIR, auditRows, openPage, press, say, text } from './page.js';

// The BiDi launcher is not in playwright-core's types.
type Launcher = { launch(options: Record<string, unknown>): Promise<import('playwright').Browser> };

let server: RunningPlayground;
let browser: import('playwright').Browser;

beforeAll(async () => {
  server = await startPlayground({ pageDir: PAGE_DIR });
  const { default: pw } = (await import('playwright-firefox-bidi')) as unknown as { default: { _bidiFirefox: Launcher } };
  browser = await pw._bidiFirefox.launch({ channel: 'moz-firefox', executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', headless: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('playground in Firefox ESR', () => {
  it('consent → allowed and denied calls audited → reload → sync → refresh → revoke → sync → refused and halted', async () => {
    const page = await browser.newPage();
    await openPage(page, server.url);
    expect(await text(page, '#gpu-state')).toMatch(/no WebGPU|no GPU adapter/);
    expect(await page.isChecked('#engine-scripted')).toBe(true);

    await press(page, 'provision');
    const bundleId = await text(page, '#b-id');
    expect(bundleId).toMatch(/^cb_/);
    await say(page, 'How warm is the kitchen?');
    await say(page, 'Email sam@example.com that I am late');
    expect(await text(page, '#transcript li.tool.denied')).toMatch(/SCOPE_VIOLATION/);
    expect(await auditRows(page)).toEqual([
      { seq: 1, action: 'sensor.read', result: 'success' },
      { seq: 2, action: 'email.send', result: 'scope_violation' },
    ]);

    await openPage(page, server.url); // reload: the sealed bundle and the trail come back from IndexedDB
    expect(await text(page, '#b-id')).toBe(bundleId);
    expect(await text(page, '#chain-badge')).toMatch(/Chain verified: 2 entries/);
    await press(page, 'sync');
    expect(await text(page, '#sync-msg')).toMatch(/2 accepted, 0 rejected, grant valid/);
    await press(page, 'refresh');
    expect(await text(page, '#consent-msg')).toMatch(/Bundle refreshed/);
    await say(page, 'How warm is the office?');
    expect(await text(page, '#chain-badge')).toMatch(/Chain verified: 3 entries/);
    await press(page, 'sync');
    expect(await text(page, '#sync-msg')).toMatch(/1 accepted, 0 rejected, grant valid/);

    await press(page, 'revoke');
    await press(page, 'sync');
    expect(await text(page, '#sync-msg')).toMatch(/grant revoked/);
    expect(await page.isDisabled('#refresh')).toBe(true); // a revoked bundle is never refreshed
    await say(page, 'How warm is the bedroom?');
    expect(await text(page, '#transcript li.halt:last-child')).toMatch(/Agent halted: GRANT_REVOKED/);
    // Halted: the chat is off and the page says why.
    expect(await text(page, '#halted')).toMatch(/^The agent is halted: this grant is revoked/);
    expect([await page.isDisabled('#chat-input'), await page.isDisabled('#send')]).toEqual([true, true]);
    expect(await text(page, '#b-status')).toMatch(/^Revoked/);
  }, 60_000);
});

describe('playground grant limits in Firefox ESR', () => {
  it('consent with a rate limit → the fourth change is refused with LIMIT_EXCEEDED → usage 3 of 3, kept across a reload', async () => {
    const page = await browser.newPage();
    await openPage(page, server.url);
    await page.click('#limit-thermostat-rate');
    await press(page, 'provision');
    expect(await text(page, '#b-id')).toMatch(/^cb_/);
    expect(await text(page, '#b-limits')).toBe('thermostat: 0 of 3 changes this hour');

    await say(page, 'Set the kitchen thermostat to 19, 20, 21 and 22');
    expect(await text(page, '#transcript li.tool.denied')).toMatch(/"celsius":22.*LIMIT_EXCEEDED — Limit exceeded: rate limit of 3/s);
    expect((await auditRows(page)).map((r) => r.result)).toEqual(['success', 'success', 'success', 'scope_violation']);
    expect(await text(page, '#audit-rows tr:first-child td.why')).toBe('LIMIT_EXCEEDED (rate: 3 per 1h)');
    expect(await text(page, '#b-limits')).toMatch(/^thermostat: 3 of 3 changes this hour, frees \d/);

    await openPage(page, server.url); // reload
    expect(await text(page, '#b-limits')).toMatch(/^thermostat: 3 of 3 changes this hour, frees \d/);
    await say(page, 'Set the bedroom thermostat to 18');
    expect((await auditRows(page)).at(-1)).toEqual({ seq: 5, action: 'thermostat.set', result: 'scope_violation' });
  }, 60_000);
});
