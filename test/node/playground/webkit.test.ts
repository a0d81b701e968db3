// The playground in WebKit (Debian's WebKitGTK MiniBrowser over W3C WebDriver, headless on
// Xvfb: scripts/webkit.mjs). No WebGPU there, so the scripted engine; the same story as in
// Firefox: consent (a code redeemed at the authority's origin, a non-extractable key kept in
// WebKit's IndexedDB), an allowed and a refused call, reload, a sync while the authority is
// really down (its server stopped), sync once it is back, revoke, refused.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWebKit } from '../../../scripts/webkit.mjs';
import { startPlayground, type RunningPlayground } from '../../../playground/server/app.js';
import { PAGE_DIR, ROOT } from './page.js';
import { auditRows, openPage, press, say, shot, text } from './webkit-page.js';

const SHOTS = join(ROOT, 'test-results/playground');
let server: RunningPlayground | undefined;
let webkit: Awaited<ReturnType<typeof launchWebKit>>;
const dataDir = mkdtempSync(join(tmpdir(), 'oc-webkit-'));

beforeAll(async () => {
  server = await startPlayground({ pageDir: PAGE_DIR, dataDir });
  webkit = await launchWebKit();
}, 60_000);

afterAll(async () => {
  await webkit?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('playground in WebKit', () => {
  it('consent → allowed and refused calls audited → reload → sync with the authority down fails and keeps entries → sync → revoke → refused and halted', async () => {
    const { driver } = webkit;
    const first = server!;
    await openPage(driver, first.url);
    expect(await text(driver, '#gpu-state')).toMatch(/no WebGPU|no GPU adapter/);
    expect(await driver.executeScript('return document.getElementById("engine-scripted").checked')).toBe(true);

    await press(driver, 'provision');
    const bundleId = await text(driver, '#b-id');
    expect(bundleId).toMatch(/^cb_/);
    await say(driver, 'How warm is the kitchen?');
    await say(driver, 'Email sam@example.com that I am late');
    expect(await text(driver, '#transcript li.tool.denied')).toMatch(/SCOPE_VIOLATION/);
    expect(await auditRows(driver)).toEqual([
      { seq: 1, action: 'sensor.read', result: 'success' },
      { seq: 2, action: 'email.send', result: 'scope_violation' },
    ]);
    await shot(driver, 'webkit-01-calls');

    await openPage(driver, first.url); // reload: the sealed bundle and the trail come back from IndexedDB
    expect(await text(driver, '#b-id')).toBe(bundleId);
    expect(await text(driver, '#chain-badge')).toMatch(/Chain verified: 2 entries/);

    // The authority goes away for real (both servers stop; the page stays loaded).
    const { url, authorityUrl } = first;
    await first.close();
    server = undefined;
    await press(driver, 'sync');
    expect(await text(driver, '#sync-msg')).toMatch(/NETWORK_ERROR/);
    expect(await text(driver, '#unsynced')).toBe('2 not yet synced');

    // Back on the same ports and database: the page's origin, and so its IndexedDB, is unchanged.
    server = await startPlayground({ pageDir: PAGE_DIR, dataDir, port: Number(new URL(url).port), authorityPort: Number(new URL(authorityUrl).port) });
    await press(driver, 'sync');
    expect(await text(driver, '#sync-msg')).toMatch(/2 accepted, 0 rejected, grant valid/);
    await say(driver, 'How warm is the office?');
    expect(await text(driver, '#chain-badge')).toMatch(/Chain verified: 3 entries/);

    // The page's backend lost its in-memory page sessions in the restart, so the operator
    // revokes at the authority's API (what the backend's button does for its own session).
    const revoked = await fetch(`${server.authorityUrl}/v1/consent-bundles/${bundleId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(revoked.status).toBe(200);
    await press(driver, 'sync');
    expect(await text(driver, '#sync-msg')).toMatch(/grant revoked/);
    await say(driver, 'How warm is the bedroom?');
    expect(await text(driver, '#transcript li.halt:last-child')).toMatch(/Agent halted: GRANT_REVOKED/);
    // Halted: the chat is off and the page says why.
    expect(await text(driver, '#halted')).toMatch(/^The agent is halted: this grant is revoked/);
    expect(await driver.executeScript('return ["chat-input", "send", "refresh"].map((id) => document.getElementById(id).disabled)')).toEqual([true, true, true]);
    expect(await text(driver, '#b-status')).toMatch(/^Revoked/);
    await shot(driver, 'webkit-02-revoked');
  }, 120_000);

  it('lays out at 1280 px (the window) and at 360 px (a 360-px frame: MiniBrowser\'s window is never narrower than ~450 px) with nothing wider', async () => {
    const { driver } = webkit;
    await driver.manage().window().setRect({ width: 1280, height: 900 });
    await openPage(driver, server!.url);
    expect(await driver.executeScript('return document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await shot(driver, 'webkit-03-1280px');
    // The page in a frame 360 px wide lays out as on a 360-px screen (its media queries see the frame).
    // The frame's parent is a page of the same origin without the app (a 404), so only one copy holds the audit log.
    await driver.get(new URL('/no-such-page', server!.url).href);
    await driver.executeScript(`document.body.replaceChildren(Object.assign(document.createElement('iframe'), { id: 'narrow', src: arguments[0], width: 360, height: 1600 }));
      document.body.style.margin = '0';`, server!.url);
    await driver.wait(async () => Boolean(await driver.executeScript('return document.getElementById("narrow").contentDocument?.body?.dataset.ready === "true"')), 20_000);
    const widths = (await driver.executeScript('const d = document.getElementById("narrow").contentDocument; return [d.defaultView.innerWidth, d.documentElement.scrollWidth]')) as [number, number];
    expect(widths[0]).toBe(360);
    expect(widths[1]).toBeLessThanOrEqual(360);
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(SHOTS, 'webkit-04-360px.png'), await driver.findElement({ css: '#narrow' }).takeScreenshot(), 'base64');
  });
});
