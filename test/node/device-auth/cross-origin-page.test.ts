// A browser app with no tenant secret, end to end: a page on one loopback origin loads the
// built browser package (dist/browser.js) and is handed only a one-time enrollment code; the
// authority (PGlite in memory) runs on another origin with `corsOrigins: [page]`. In Debian's
// Chromium the page redeems the code (non-extractable key) → IndexedDB → guarded calls →
// sync → refresh → more calls → sync → (operator revokes) → sync hears it → refused. The API
// key stays on the Node side: asserted absent from every request, IndexedDB and localStorage.
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthority, type RunningAuthority } from 'offline-consent/authority';
import { verifyChain } from '../../../src/index.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../browser-page.js';
import { dumpBrowserStorage } from '../playground/storage-dump.js';
import { recordRequests, type SeenRequest } from '../playground/page.js';
import { serveDevicePage } from './serve-device-page.js';

const API_KEY = `oc_${'k'.repeat(8)}${crypto.randomUUID().replaceAll('-', '')}`;
let site: Awaited<ReturnType<typeof serveDevicePage>>;
let authority: RunningAuthority;
let browser: Browser;
let page: Page;
const requests: SeenRequest[] = [];
/** Requests the browser gave up on (a CORS refusal shows up here). */
const failed: string[] = [];
let agentId = '';

/** The developer's backend: calls with the API key, from Node only. */
async function backend(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${authority.url}${path}`, {
    method, headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json();
  expect(res.status, `${method} ${path}: ${JSON.stringify(json)}`).toBeLessThan(300);
  return json;
}

beforeAll(async () => {
  site = await serveDevicePage();
  authority = await startAuthority({ apiKey: API_KEY, corsOrigins: [site.origin], rateLimits: false });
  agentId = (await backend('POST', '/v1/agents', { name: 'tab-agent', scopes: ['sensor:read', 'email:send'] })).agentId;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext();
  recordRequests(context, requests);
  context.on('requestfailed', (r) => failed.push(`${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(`${site.origin}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await authority?.close();
  await site?.close();
});

describe('a page on another origin, with an enrollment code and nothing else', () => {
  let bundleId = '';

  it('redeems the code with a key it made (non-extractable), stores the bundle in IndexedDB, and guards calls into an IndexedDB log', async () => {
    const { code } = await backend('POST', '/v1/enrollments', { agentId, userId: 'tab-user', scopes: ['sensor:read'], offlineTTL: '1h' });
    const result = await page.evaluate(async ({ baseUrl, code }) => {
      const oc = (globalThis as any).oc;
      const redeemed = await oc.redeemEnrollment({ baseUrl, code, extractable: false });
      await oc.storeBundle(redeemed, 'device', undefined, { keepSigningKeyAsCryptoKey: true });
      const bundle = await oc.loadBundle('device');
      const log = oc.createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: 'device-audit', keySpans: bundle.auditKeySpans });
      const guard = oc.createAgentGuard({ bundle, auditLog: log });
      const allowed = await guard.run('sensor.read', ['sensor:read'], () => 21.5);
      const denied = await guard.run('email.send', ['email:send'], () => 'sent').then(() => 'ran', (e: any) => e.code);
      Object.assign(globalThis, { bundle, log, guard });
      const key = bundle.offlineAuditKey.privateKey;
      return {
        bundleId: bundle.bundleId, allowed, denied, enrolled: bundle.enrolled,
        redeemedKey: { isCryptoKey: redeemed.offlineAuditKey.privateKey instanceof CryptoKey, extractable: redeemed.offlineAuditKey.privateKey.extractable },
        storedKey: { isCryptoKey: key instanceof CryptoKey, extractable: key.extractable, type: key.type, algorithm: key.algorithm.name },
        exported: await crypto.subtle.exportKey('pkcs8', key).then(() => 'exported', (e: Error) => e.name),
        rows: (await log.entries()).map((e: any) => [e.seq, e.action, e.result]),
      };
    }, { baseUrl: authority.url, code });
    bundleId = result.bundleId;
    expect(bundleId).toMatch(/^cb_/);
    expect(result).toMatchObject({
      allowed: 21.5, denied: 'SCOPE_VIOLATION', enrolled: true,
      redeemedKey: { isCryptoKey: true, extractable: false },
      storedKey: { isCryptoKey: true, extractable: false, type: 'private', algorithm: 'Ed25519' },
      exported: 'InvalidAccessError',
    });
    expect(result.rows).toEqual([[1, 'sensor.read', 'success'], [2, 'email.send', 'scope_violation']]);
  });

  it('syncs with device proofs, refreshes (new key from seq 3), acts and syncs again; the authority holds a chain that verifies with the spans', async () => {
    const result = await page.evaluate(async () => {
      const { oc, bundle, log } = globalThis as any;
      const first = await oc.syncAuditLog(log, { bundle });
      const fresh = await oc.refreshBundle(bundle, { log });
      await oc.storeBundle(fresh, 'device', undefined, { keepSigningKeyAsCryptoKey: true });
      const reopened = await oc.loadBundle('device');
      const guard = oc.createAgentGuard({ bundle: reopened, auditLog: log });
      await guard.run('sensor.read', ['sensor:read'], () => 20);
      await guard.run('sensor.read', ['sensor:read'], () => 19);
      const second = await oc.syncAuditLog(log, { bundle: reopened });
      const spans = await log.keySpans();
      Object.assign(globalThis, { bundle: reopened, guard });
      return {
        first: [first.accepted, first.rejected, first.revocationStatus], second: [second.accepted, second.rejected, second.revocationStatus],
        spans, freshSpans: fresh.auditKeySpans, freshKeyExtractable: reopened.offlineAuditKey.privateKey.extractable,
        verified: await oc.verifyChain(await log.entries(), { keys: spans }),
        status: (await oc.revocationStatus(reopened)).status,
      };
    });
    expect(result.first).toEqual([2, 0, 'valid']);
    expect(result.second).toEqual([2, 0, 'valid']);
    expect(result.spans.map((s: any) => [s.fromSeq, s.toSeq])).toEqual([[1, 2], [3, null]]);
    expect(result.freshSpans).toEqual(result.spans);
    expect(result.freshKeyExtractable).toBe(false);
    expect(result.verified).toEqual({ valid: true, count: 4 });
    expect(result.status).toBe('active');

    const held = await backend('GET', `/v1/consent-bundles/${bundleId}/audit`);
    const record = await backend('GET', `/v1/consent-bundles/${bundleId}`);
    expect(held.entries.map((e: any) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(record.auditKeySpans).toEqual(result.spans);
    expect(await verifyChain(held.entries, { keys: record.auditKeySpans })).toEqual({ valid: true, count: 4 });
  });

  it('the operator revokes with the API key; the page\'s next sync hears it and the next guarded call is refused', async () => {
    await backend('POST', `/v1/consent-bundles/${bundleId}/revoke`, {});
    const result = await page.evaluate(async () => {
      const { oc, bundle, log, guard } = globalThis as any;
      const before = await guard.run('sensor.read', ['sensor:read'], () => 18).then(() => 'ran', (e: any) => e.code); // not yet known: the offline lag
      const sync = await oc.syncAuditLog(log, { bundle });
      const after = await guard.run('sensor.read', ['sensor:read'], () => 17).then(() => 'ran', (e: any) => e.code);
      return { before, sync: [sync.accepted, sync.revocationStatus], after, last: (await log.entries()).at(-1).result, status: (await oc.revocationStatus(bundle)).status };
    });
    expect(result).toEqual({ before: 'ran', sync: [1, 'revoked'], after: 'GRANT_REVOKED', last: expect.not.stringMatching(/^success$/), status: 'revoked' });
    expect((await backend('GET', `/v1/consent-bundles/${bundleId}/audit`)).entries).toHaveLength(5);
  });

  it('an API-key endpoint cannot be called from the page: the authority answers no cross-origin preflight there', async () => {
    const outcome = await page.evaluate(async (baseUrl) => {
      const tries: Record<string, string> = {};
      for (const [name, path, init] of [
        ['list bundles', '/v1/consent-bundles', { headers: { authorization: 'Bearer oc_guessed_key_guessed_key_guessed' } }],
        ['enroll', '/v1/enrollments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }],
        ['agents', '/v1/agents', { headers: { 'oc-device-proof': 'x.y.z' } }],
      ] as const) {
        tries[name] = await fetch(`${baseUrl}${path}`, init as RequestInit).then((r) => `answered ${r.status}`, (e: Error) => e.name);
      }
      return tries;
    }, authority.url);
    expect(outcome).toEqual({ 'list bundles': 'TypeError', enroll: 'TypeError', agents: 'TypeError' });
    expect(failed).toEqual([
      `GET ${authority.url}/v1/consent-bundles net::ERR_FAILED`,
      `POST ${authority.url}/v1/enrollments net::ERR_FAILED`,
      `GET ${authority.url}/v1/agents net::ERR_FAILED`,
    ]);
    const preflight = await fetch(`${authority.url}/v1/consent-bundles`, {
      method: 'OPTIONS', headers: { origin: site.origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const devicePreflight = await fetch(`${authority.url}/v1/audit/offline-sync`, {
      method: 'OPTIONS', headers: { origin: site.origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,oc-device-proof' },
    });
    expect(devicePreflight.headers.get('access-control-allow-origin')).toBe(site.origin);
    expect(devicePreflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('oc-device-proof');
  });

  it('the API key is in no request the page made, nor in its IndexedDB or localStorage; every authority call but the redeem carried a proof', async () => {
    const toAuthority = requests.filter((r) => r.url.startsWith(`${authority.url}/`));
    expect(toAuthority.length).toBeGreaterThan(5);
    for (const r of requests) {
      expect(`${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`, r.url).not.toContain(API_KEY);
    }
    for (const r of toAuthority.filter((r) => r.method !== 'OPTIONS' && !/\/v1\/(enrollments\/redeem|consent-bundles|enrollments|agents)$/.test(r.url))) {
      expect(r.headers['oc-device-proof'], `${r.method} ${r.url}`).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    }
    expect(requests.some((r) => r.url === `${authority.url}/v1/enrollments/redeem` && r.method === 'POST')).toBe(true);
    const stored = await dumpBrowserStorage(page);
    expect(stored.indexedDB).toContain('device-audit'); // the dump did reach the log and the bundle
    expect(stored.indexedDB).toContain('bundle:device');
    expect(stored.indexedDB).not.toContain(API_KEY);
    expect(stored.localStorage).not.toContain(API_KEY);
    expect(stored.keys.filter((k) => k.type === 'private')).toEqual(expect.arrayContaining([{ type: 'private', algorithm: 'Ed25519', extractable: false }]));
    expect(stored.keys.every((k) => !k.extractable)).toBe(true);
    expect(await page.content()).not.toContain(API_KEY);
  });
});
