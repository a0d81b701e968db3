// The playground end to end: Debian's Chromium drives the real page against the real
// embedded authority (PGlite, on its own origin) with the scripted engine, through consent
// (the backend mints an enrollment code, the page redeems it) → offline calls → reload →
// sync → refresh → revoke → refusal, every authority call signed by the page's own key.
// Screenshots of each step: test-results/playground/.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../../src/index.js';
import { auditRows, dumpBrowserStorage, openPage, press, say, shot, startRun, text, type PlaygroundRun } from './page.js';

let run: PlaygroundRun;
let page: Page;

/** The authority's own view, asked with the operator's API key. */
async function authority(path: string): Promise<any> {
  const res = await fetch(new URL(path, run.server.authorityUrl), { headers: { authorization: `Bearer ${run.server.apiKey}` } });
  expect(res.status, path).toBe(200);
  return res.json();
}

beforeAll(async () => {
  run = await startRun();
  page = run.page;
}, 120_000);

afterAll(() => run?.close());

/**
 * How the audit table fits: the page's and the table container's overflow (0: none), the cells
 * cut off (outside the container or the screen, or text wider than the cell), the hashes shown
 * and the lengths of the full hashes in their titles.
 */
async function auditFit(tab: Page): Promise<{ page: number; table: number; cut: string[]; hashes: string[]; titles: number[] }> {
  return tab.evaluate(() => {
    const wrap = document.querySelector('#audit-rows')!.closest('.table-wrap')!;
    const box = wrap.getBoundingClientRect();
    const cells = [...document.querySelectorAll<HTMLTableCellElement>('#audit table th, #audit table td')].filter((c) => c.offsetParent !== null);
    const cut = cells.filter((c) => {
      const r = c.getBoundingClientRect();
      return r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.right > window.innerWidth || c.scrollWidth > c.clientWidth;
    }).map((c) => c.textContent ?? '');
    const hashes = [...document.querySelectorAll<HTMLTableCellElement>('#audit-rows td.hash')];
    return {
      page: document.documentElement.scrollWidth, table: wrap.scrollWidth - wrap.clientWidth, cut,
      hashes: hashes.map((c) => c.innerText), titles: [...new Set(hashes.map((c) => c.title.length))],
    };
  });
}

/** Forget bundle: the consent form comes back. */
async function forget(): Promise<void> {
  await page.click('#forget');
  await page.waitForSelector('#consent-form:not([hidden])');
  await page.waitForFunction(() => !(document.getElementById('provision') as HTMLButtonElement).disabled);
}

describe('playground (scripted engine, real page, real authority)', () => {
  let bundleId = '';

  it('without WebGPU the page says so and offers the scripted engine', async () => {
    expect(await text(page, '#gpu-state')).toMatch(/no GPU adapter|no WebGPU/);
    expect(await page.isDisabled('#engine-mediapipe')).toBe(true);
    expect(await page.isChecked('#engine-scripted')).toBe(true);
    expect(await text(page, '#engine-state')).toBe('Engine ready: Scripted (no model)');
    expect(await page.isDisabled('#chat-input')).toBe(true); // no bundle yet
    await shot(page, '01-start');
  });

  it('every control has an accessible name and is reachable with Tab', async () => {
    for (const [role, name] of [['switch', 'Online'], ['combobox', 'Offline for at most'], ['button', 'Grant consent'], ['radio', 'Scripted (no model)'], ['textbox', 'Message'], ['button', 'Sync'], ['button', 'Operator: revoke grant']] as const) {
      expect(await page.getByRole(role, { name, exact: true }).count(), `${role} "${name}"`).toBe(1);
    }
    await page.focus('body');
    const reached = new Set<string>();
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      reached.add(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName || ''));
    }
    for (const id of ['online', 'scope-0', 'scope-3', 'ttl', 'provision', 'engine-scripted']) expect(reached, id).toContain(id);
  });

  it('consent with the keyboard: the backend mints a code, the page redeems it and stores the bundle sealed', async () => {
    await page.selectOption('#ttl', '24h');
    await page.focus('#provision');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#bundle-status:not([hidden])', { timeout: 20_000 });
    bundleId = await text(page, '#b-id');
    expect(bundleId).toMatch(/^cb_/);
    expect(await text(page, '#b-scopes')).toBe('sensor:read, thermostat:write, calendar:read');
    expect(await text(page, '#b-status')).toBe('Active');
    for (const name of ['Refresh bundle', 'Check revocation', 'Forget bundle']) expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(1);
    expect(await text(page, '#b-left')).toMatch(/^23 h 59 min|^1 d 0 h|^24 h/);
    const record = await authority(`/v1/consent-bundles/${bundleId}`);
    expect(record.scopes ?? record.data?.scopes).toEqual(['sensor:read', 'thermostat:write', 'calendar:read']);
    // The code became exactly this bundle, redeemed straight at the authority's origin.
    const redeems = run.requests.filter((r) => r.url === `${run.server.authorityUrl}/v1/enrollments/redeem`);
    expect(redeems).toHaveLength(1);
    expect(JSON.parse(redeems[0]!.body)).toMatchObject({ code: expect.stringMatching(/^oce_[\w-]{32}$/), auditPublicKey: expect.stringContaining('BEGIN PUBLIC KEY') });
    expect(redeems[0]!.headers.authorization).toBeUndefined();
    // The audit private key was made in this browser and can be used, never read.
    const { keys } = await dumpBrowserStorage(page);
    expect(keys.filter((k) => k.type === 'private' && k.algorithm === 'Ed25519')).toEqual([{ type: 'private', algorithm: 'Ed25519', extractable: false }]);
    expect(keys.every((k) => !k.extractable)).toBe(true);
    // Sealed with the device key: the stored record is ciphertext, not the token.
    const stored = await page.evaluate(async () => {
      const db: IDBDatabase = await new Promise((res, rej) => { const r = indexedDB.open('offline-consent-bundles'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
      const names = [...db.objectStoreNames];
      const value = await new Promise<any>((res) => { const q = db.transaction(names[0]!).objectStore(names[0]!).get('bundle:playground'); q.onsuccess = () => res(q.result); });
      return JSON.stringify(value, (_k, v) => (v instanceof Uint8Array || v instanceof ArrayBuffer ? `bytes:${(v as ArrayBuffer).byteLength}` : v));
    });
    expect(stored).not.toContain('eyJ'); // no JWT text at rest
    expect(stored).not.toContain('PRIVATE KEY');
    await shot(page, '02-consented');
  });

  it('offline: an allowed call, a denied call and a malformed call that is retried are all guarded and audited', async () => {
    await page.click('#online'); // the page's switch …
    await run.context.setOffline(true); // … and the browser's network, for real
    expect(await text(page, '#net-state')).toMatch(/^Offline/);

    await say(page, 'How warm is the kitchen?');
    expect(await text(page, '#transcript li.tool.allowed')).toContain('sensor.read');
    expect(await text(page, '#transcript li.model:last-child')).toMatch(/kitchen is [\d.]+ °C/);
    expect(await text(page, '#chain-badge')).toBe('✓ Chain verified: 1 entry, hashes and Ed25519 signatures');
    expect(await text(page, '#unsynced')).toBe('1 not yet synced');

    await say(page, 'Email sam@example.com that I am late');
    expect(await text(page, '#transcript li.tool.denied')).toMatch(/SCOPE_VIOLATION/);

    await say(page, '(malformed) how warm is the kitchen?');
    expect(await text(page, '#transcript li.note')).toMatch(/could not be read .*retries once/);

    expect(await auditRows(page)).toEqual([
      { seq: 1, action: 'sensor.read', result: 'success' },
      { seq: 2, action: 'email.send', result: 'scope_violation' },
      { seq: 3, action: 'sensor.read', result: 'success' },
    ]);
    expect(await text(page, '#chain-badge')).toMatch(/Chain verified: 3 entries/);
    await shot(page, '03-offline-calls');
  });

  it('at 360 px nothing is wider than the screen and every audit column shows whole (hash: its first 8 hex digits)', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    try {
      expect(await auditFit(page)).toEqual({ page: 360, table: 0, cut: [], hashes: expect.arrayContaining([expect.stringMatching(/^[0-9a-f]{8}$/)]), titles: [64] });
      await shot(page, '03b-audit-360');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('Stop interrupts a generation mid-stream; nothing of that turn runs or is audited', async () => {
    await page.fill('#chat-input', '(slow) tell me a story');
    await page.press('#chat-input', 'Enter');
    await page.waitForFunction(() => (document.querySelector('#transcript li.model[aria-busy]')?.textContent ?? '').length > 20);
    expect(await page.isVisible('#stop')).toBe(true);
    await page.click('#stop');
    await page.waitForFunction(() => !(document.getElementById('send') as HTMLButtonElement).disabled);
    expect(await text(page, '#transcript li.note:last-child')).toMatch(/^Stopped: the model was interrupted/);
    const lastModel = await page.$$eval('#transcript li.model', (items) => items.at(-1)?.textContent ?? '');
    expect(lastModel).toMatch(/^This is a long scripted .* …$/); // cut wherever the stream was
    expect(lastModel).not.toContain('The end.');
    expect(await page.isVisible('#stop')).toBe(false);
    expect((await auditRows(page)).map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('sync while offline fails as a network error and keeps every entry unsynced', async () => {
    await press(page, 'sync');
    expect(await text(page, '#sync-msg')).toMatch(/NETWORK_ERROR/);
    expect(await text(page, '#unsynced')).toBe('3 not yet synced');
  });

  it('after a reload the bundle and the chain are still there', async () => {
    await run.context.setOffline(false);
    await openPage(page, run.server.url); // reload
    expect(await text(page, '#b-id')).toBe(bundleId);
    expect((await auditRows(page)).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(await text(page, '#chain-badge')).toMatch(/Chain verified: 3 entries/);
    await shot(page, '04-after-reload');
  });

  it('with no network at all, the page still opens from its service worker cache and keeps working', async () => {
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null && /kept for offline/.test(document.getElementById('offline-ready')!.textContent ?? ''), undefined, { timeout: 20_000 });
    await run.context.setOffline(true);
    try {
      await openPage(page, run.server.url); // reload with the network gone
      // The reload really had no network: a request the service worker does not answer fails.
      expect(await page.evaluate(() => fetch(`/v1/no-such-path?${Date.now()}`).then(() => 'reached', () => 'failed'))).toBe('failed');
      // Chromium 150 (Debian bookworm) keeps navigator.onLine true in a document loaded under
      // Playwright's offline emulation; applying it again fires `offline`, as pulling a cable would.
      if (await page.evaluate(() => navigator.onLine)) {
        await run.context.setOffline(false);
        await run.context.setOffline(true);
      }
      await page.waitForFunction(() => /no network/.test(document.getElementById('net-state')!.textContent ?? ''));
      expect(await text(page, '#net-state')).toBe('Offline: this device has no network');
      expect(await text(page, '#b-id')).toBe(bundleId);
      expect(await text(page, '#chain-badge')).toMatch(/Chain verified: 3 entries/);
      await say(page, 'What is on my calendar?');
      expect(await text(page, '#transcript li.model:last-child')).toMatch(/^Today: 09:30 Stand-up, 14:00 Dentist\.$/);
      expect((await auditRows(page)).at(-1)).toEqual({ seq: 4, action: 'calendar.read', result: 'success' });
      await shot(page, '04b-offline-reload');
    } finally {
      await run.context.setOffline(false);
    }
  });

  it('online: sync is accepted, and the authority holds exactly the page\'s chain', async () => {
    await press(page, 'sync');
    expect(await text(page, '#sync-msg')).toMatch(/4 accepted, 0 rejected, grant valid/);
    expect(await text(page, '#unsynced')).toBe('0 not yet synced');
    const held = await authority(`/v1/consent-bundles/${bundleId}/audit`);
    expect(held.entries.map((e: any) => e.result)).toEqual(['success', 'scope_violation', 'success', 'success']);
    const record = await authority(`/v1/consent-bundles/${bundleId}`);
    expect((record.syncedSeq ?? record.data?.syncedSeq)).toBe(4);
    await shot(page, '05-synced');
  });

  it('export: the JSON Lines file verifies with the bundle\'s public audit key', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const lines = readFileSync((await download.path())!, 'utf8').trim().split('\n');
    const record = await authority(`/v1/consent-bundles/${bundleId}`);
    const entries = lines.map((l) => JSON.parse(l));
    expect(await verifyChain(entries, { keys: record.auditKeySpans ?? record.data?.auditKeySpans })).toEqual({ valid: true, count: 4 });
  });

  it('refresh rotates the audit key; the trail keeps verifying in the page and at the authority', async () => {
    await press(page, 'refresh');
    expect(await text(page, '#consent-msg')).toMatch(/Bundle refreshed/);
    expect(await text(page, '#b-id')).toBe(bundleId);
    const spans = (await authority(`/v1/consent-bundles/${bundleId}`)).auditKeySpans;
    expect(spans.map((k: any) => [k.fromSeq, k.toSeq])).toEqual([[1, 4], [5, null]]);
    expect(spans[0].publicKey).not.toBe(spans[1].publicKey);
    const { keys } = await dumpBrowserStorage(page);
    expect(keys.filter((k) => k.type === 'private' && k.algorithm === 'Ed25519')).toEqual([{ type: 'private', algorithm: 'Ed25519', extractable: false }]);
    await say(page, 'Set the bedroom thermostat to 19');
    expect(await text(page, '#transcript li.model:last-child')).toMatch(/bedroom thermostat is set to 19 °C/);
    expect(await text(page, '#chain-badge')).toMatch(/Chain verified: 5 entries/);
    await press(page, 'sync');
    expect(await text(page, '#sync-msg')).toMatch(/1 accepted, 0 rejected, grant valid/);
  });

  it('the operator revokes: offline the agent still acts until it syncs, then it refuses and is halted (chat and Refresh off, the reasons shown)', async () => {
    await press(page, 'revoke');
    expect(await text(page, '#sync-msg')).toMatch(/Operator revoked the grant/);
    await say(page, 'How warm is the office?'); // not yet known on the device: the honest offline lag
    expect((await auditRows(page)).at(-1)).toEqual({ seq: 6, action: 'sensor.read', result: 'success' });

    await press(page, 'sync');
    expect(await text(page, '#sync-msg')).toMatch(/1 accepted, 0 rejected, grant revoked/);
    expect(await text(page, '#transcript li.halt:last-child')).toMatch(/^The authority reports this grant revoked: the agent refuses every further tool call/);
    // Refresh could only fail now (the authority answers BUNDLE_REVOKED): it is off, and the page says why.
    expect(await page.isDisabled('#refresh')).toBe(true);
    expect(await text(page, '#refresh-off')).toMatch(/^Refresh is off: this bundle is revoked.*give consent again\.$/);
    expect(await page.getAttribute('#refresh', 'aria-describedby')).toBe('refresh-off');
    // The chat stays on until the guard itself refuses: the refusal is what the page shows.
    await say(page, 'How warm is the kitchen?');
    expect(await text(page, '#transcript li.halt:last-child')).toMatch(/Agent halted: GRANT_REVOKED/);
    const last = (await auditRows(page)).at(-1)!;
    expect(last.seq).toBe(7);
    expect(last.result).not.toBe('success');
    expect(await text(page, '#b-status')).toMatch(/^Revoked/);
    await press(page, 'sync'); // the refusal is part of the trail too
    expect(await text(page, '#sync-msg')).toMatch(/1 accepted, 0 rejected, grant revoked/);
    await press(page, 'check'); // the page asks the authority itself, with a signed call
    expect(await text(page, '#consent-msg')).toMatch(/^The authority says this bundle is revoked \(revoked at /);
    // Halted: the chat is off with the reason in its placeholder and under it, and stays so after the sync and the check.
    expect([await page.isDisabled('#chat-input'), await page.isDisabled('#send'), await page.isDisabled('#refresh')]).toEqual([true, true, true]);
    expect(await page.getAttribute('#chat-input', 'placeholder')).toBe('Halted: grant revoked');
    expect(await page.isVisible('#halted')).toBe(true);
    expect(await text(page, '#halted')).toBe('The agent is halted: this grant is revoked. Forget the bundle and give consent again.');
    for (const id of ['sync', 'export', 'check', 'forget']) expect(await page.isEnabled(`#${id}`), id).toBe(true); // these still work
    const held = (await authority(`/v1/consent-bundles/${bundleId}/audit`)).entries;
    expect(held).toHaveLength(7);
    expect(await verifyChain(held, { keys: (await authority(`/v1/consent-bundles/${bundleId}`)).auditKeySpans })).toEqual({ valid: true, count: 7 });
    await shot(page, '06-revoked');
    await page.setViewportSize({ width: 360, height: 800 });
    try {
      expect(await auditFit(page)).toMatchObject({ page: 360, table: 0, cut: [] });
      await shot(page, '06-revoked-360');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('a revoked bundle is not replaced without a new consent; a new consent revokes the session\'s previous bundle', async () => {
    const count = async () => (await authority('/v1/consent-bundles?limit=100')).bundles.length;
    const before = await count();
    await openPage(page, run.server.url); // reload: still the revoked bundle, nothing new issued
    expect(await text(page, '#b-id')).toBe(bundleId);
    expect(await text(page, '#b-status')).toMatch(/^Revoked/);
    expect(await text(page, '#transcript li.halt')).toMatch(/^The authority reports this grant revoked/); // said again after the reload
    expect(await page.isDisabled('#refresh')).toBe(true);
    await say(page, 'How warm is the kitchen?');
    expect(await text(page, '#transcript li.halt:last-child')).toMatch(/Agent halted: GRANT_REVOKED/);
    expect([await page.isDisabled('#chat-input'), await page.isDisabled('#send')]).toEqual([true, true]);
    expect(await count()).toBe(before);

    await forget();
    // Nothing of the revoked bundle stays on screen as if it were current.
    expect(await text(page, '#transcript')).toBe(`Bundle ${bundleId} forgotten: give consent again to go on.`);
    expect(await page.$$('#transcript li.halt')).toHaveLength(0);
    expect([await page.isHidden('#halted'), await page.isHidden('#refresh-off'), await text(page, '#sync-msg')]).toEqual([true, true, '']);
    expect(await page.getAttribute('#chat-input', 'placeholder')).toBe('Give consent first');
    await page.click('#scope-3'); // email too, this time
    await press(page, 'provision');
    const second = await text(page, '#b-id');
    expect(second).not.toBe(bundleId);
    expect(await text(page, '#b-scopes')).toBe('sensor:read, thermostat:write, calendar:read, email:send');
    expect(await text(page, '#transcript')).toBe(`New consent: bundle ${second} may use sensor:read, thermostat:write, calendar:read, email:send.`);
    expect(await page.getAttribute('#chat-input', 'placeholder')).toBe('How warm is the kitchen?');
    // The new bundle starts clean: active, Refresh and the chat on, no halt or revocation of the old one shown anywhere.
    expect([await text(page, '#b-status'), await page.isHidden('#halted'), await page.isHidden('#refresh-off'), await page.isEnabled('#chat-input'), await page.isEnabled('#send'), await page.isEnabled('#refresh')])
      .toEqual(['Active', true, true, true, true, true]);
    expect(await text(page, '#sync-msg')).toBe('');
    expect(await text(page, '#chain-badge')).toBe('No entries yet');
    expect(await page.evaluate(() => document.body.innerText)).not.toMatch(/revoked|halted/i); // what is on screen
    await shot(page, '06b-new-consent');
    await say(page, 'Email sam@example.com that I am late'); // this grant has email
    expect(await text(page, '#transcript li.tool.allowed')).toContain('email.send');
    expect(await count()).toBe(before + 1);

    await forget(); // the user consents again (the old bundle left this browser, not the authority) …
    await press(page, 'provision');
    const third = await text(page, '#b-id');
    expect(third).not.toBe(second);
    // … and the backend revoked the session's previous bundle: one live bundle per page session.
    expect((await authority(`/v1/consent-bundles/${second}/revocation-status`)).data.status).toBe('revoked');
    expect((await authority(`/v1/consent-bundles/${third}/revocation-status`)).data.status).toBe('active');
    await press(page, 'check');
    expect(await text(page, '#consent-msg')).toBe('The authority says this bundle is active.');
  });

  it('is readable at 360 px wide', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await auditFit(page)).toMatchObject({ table: 0, cut: [] });
    await shot(page, '07-narrow');
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot(page, '07-wide');
  });

  it('every request went to the page\'s server or the authority, both loopback (no CDN)', async () => {
    const pageOrigin = new URL(run.server.url).origin, authorityOrigin = new URL(run.server.authorityUrl).origin;
    expect(pageOrigin).not.toBe(authorityOrigin);
    for (const origin of [pageOrigin, authorityOrigin]) expect(new URL(origin).hostname).toBe('127.0.0.1');
    expect(run.offServer()).toEqual([]);
    const toAuthority = run.requests.filter((r) => r.url.startsWith(`${authorityOrigin}/`));
    const paths = new Set(toAuthority.map((r) => `${r.method} ${new URL(r.url).pathname.replace(/cb_[\w-]+/, ':id')}`));
    expect(paths).toContain('POST /v1/enrollments/redeem');
    expect(paths).toContain('POST /v1/audit/offline-sync');
    expect(paths).toContain('POST /v1/consent-bundles/:id/refresh');
    // Every call to the authority but the redeem (and CORS preflights) is signed by the device; none carries a bearer credential.
    for (const r of toAuthority) {
      expect(r.headers.authorization, r.url).toBeUndefined();
      if (r.method !== 'OPTIONS' && !r.url.endsWith('/v1/enrollments/redeem')) expect(r.headers['oc-device-proof'], r.url).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    }
  });

  it('the developer API key appears in no request the page made, nor in the page, its IndexedDB or localStorage', async () => {
    const key = run.server.apiKey;
    expect(run.requests.length).toBeGreaterThan(10);
    for (const r of run.requests) {
      expect(JSON.stringify(r.headers), r.url).not.toContain(key);
      expect(r.body, r.url).not.toContain(key);
      expect(r.url).not.toContain(key);
    }
    expect(await page.content()).not.toContain(key);
    const stored = await dumpBrowserStorage(page);
    expect(stored.indexedDB.length).toBeGreaterThan(1000); // the bundle and the trail are in there
    expect(stored.indexedDB).not.toContain(key);
    expect(stored.localStorage).not.toContain(key);
    expect(await page.evaluate(() => caches.keys().then(async (names) => {
      const bodies = [];
      for (const name of names) for (const req of await (await caches.open(name)).keys()) bodies.push(await (await caches.match(req))!.text());
      return bodies.join('\n');
    }))).not.toContain(key);
  });
});

describe('playground bundle deadline (Playwright clock)', () => {
  it('warns to refresh in the last 20 % of the offline window, and past the deadline the agent halts on OFFLINE_EXPIRED', async () => {
    const context = await run.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      await context.clock.install({ time: new Date() });
      const tab = await context.newPage();
      await openPage(tab, run.server.url);
      await tab.selectOption('#ttl', '15m');
      await press(tab, 'provision');
      expect(await text(tab, '#b-left')).toMatch(/^1[45] min/);
      expect(await tab.isHidden('#b-refresh-warning')).toBe(true);

      await tab.clock.fastForward(13 * 60_000); // 2 of 15 minutes left: under 20 %
      await tab.waitForFunction(() => !document.getElementById('b-refresh-warning')!.hidden);
      expect(await text(tab, '#b-left')).toMatch(/^[12] min/);
      await shot(tab, '09-refresh-warning');

      await tab.clock.fastForward(3 * 60_000); // past the deadline
      await tab.waitForFunction(() => document.getElementById('b-left')!.textContent === 'expired');
      await say(tab, 'How warm is the kitchen?');
      expect(await text(tab, '#transcript li.halt:last-child')).toMatch(/Agent halted: OFFLINE_EXPIRED/);
      // Halted until a new bundle: the chat is off with the way out shown; Refresh (online) is that way, so it stays on.
      expect([await tab.isDisabled('#chat-input'), await tab.isDisabled('#send'), await tab.isEnabled('#refresh')]).toEqual([true, true, true]);
      expect(await tab.getAttribute('#chat-input', 'placeholder')).toBe('Halted: OFFLINE_EXPIRED');
      expect(await text(tab, '#halted')).toBe('The agent is halted (OFFLINE_EXPIRED). Refresh the bundle while online, or forget it and give consent again.');
      expect((await auditRows(tab)).at(-1)).toMatchObject({ seq: 1, action: 'sensor.read' });
      expect((await auditRows(tab)).at(-1)!.result).not.toBe('success');
    } finally {
      await context.close();
    }
  });
});

describe('playground refresh whose answer is lost', () => {
  it('the next Refresh repeats the very same request (same new key, same head) and the bundle is not forked', async () => {
    const context = await run.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const tab = await context.newPage();
      await openPage(tab, run.server.url);
      await press(tab, 'provision');
      const id = await text(tab, '#b-id');
      await say(tab, 'How warm is the kitchen?');
      // The authority applies every refresh attempt, but no answer reaches the page.
      const sent: string[] = [];
      await tab.route('**/v1/consent-bundles/*/refresh', async (route) => {
        sent.push(JSON.parse(route.request().postData()!).auditPublicKey);
        await route.fetch();
        await route.abort('connectionreset');
      });
      await press(tab, 'refresh');
      expect(await text(tab, '#consent-msg')).toMatch(/REFRESH_OUTCOME_UNKNOWN/);
      await tab.unrouteAll();
      await press(tab, 'refresh');
      expect(await text(tab, '#consent-msg')).toMatch(/Bundle refreshed/);
      expect(new Set(sent).size).toBe(1); // every attempt named one new key
      const record = await authority(`/v1/consent-bundles/${id}`);
      expect(record.status).toBe('active');
      expect(record.auditKeySpans.map((k: any) => [k.fromSeq, k.toSeq, k.publicKey === sent[0]])).toEqual([[1, 1, false], [2, null, true]]);
      await say(tab, 'What is on my calendar?');
      await press(tab, 'sync');
      expect(await text(tab, '#sync-msg')).toMatch(/1 accepted, 0 rejected, grant valid/);
      expect(await text(tab, '#chain-badge')).toMatch(/Chain verified: 2 entries/);
    } finally {
      await context.close();
    }
  });
});
