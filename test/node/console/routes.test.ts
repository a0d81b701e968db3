// The operator console over its routes, on PGlite and PostgreSQL: the session cookie and where it
// is valid (every instance sharing the database, until its API key is revoked), forged cookies,
// CSRF (token and origin, nothing changed when refused), revocation only through its confirmation,
// the trail's paging, flags and JSONL export, and enrollment codes minted as the API mints them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/crypto/index.js';
import { verifyChain } from '../../../src/index.js';
import { createAuthority, type Authority } from '../../../src/authority/index.js';
import { enrollDevice, deviceKey, type Device } from '../authority/device-client.js';
import { Api, ENGINES, rowCounts, startTestAuthority } from '../authority/harness.js';
import { appendShaped, ConsoleClient, csrfOf, sessionCookieValue } from './console-client.js';

const FAR_FUTURE = '9999-12-31T00:00:00.000Z';

describe.each(ENGINES)('operator console on %s', (engine) => {
  let t: Awaited<ReturnType<typeof startTestAuthority>>;
  let api: Api;
  let second: Authority;
  let device: Device;
  let other: Api;

  const status = async (bundleId: string) => (await api.get(`/v1/consent-bundles/${bundleId}`)).body.status as string;
  const sessions = async () => Number((await t.db.query<{ n: number }>('SELECT count(*) AS n FROM console_sessions'))[0]!.n);

  beforeAll(async () => {
    t = await startTestAuthority(engine);
    api = await t.developer();
    other = await t.developer();
    // A second instance on the same database: its own pool on PostgreSQL, as another process would have.
    second = await createAuthority({ ...(t.url ? { databaseUrl: t.url } : { db: t.db }), rateLimits: false });
    ({ device } = await enrollDevice(api));
    await appendShaped(device, 60, (seq) => (seq === 7 ? { timestamp: FAR_FUTURE } : {}));
    const synced = await device.sync(device.entries);
    expect(synced.body).toMatchObject({ accepted: 60, revocationStatus: 'valid' });
  });
  afterAll(async () => {
    await second?.close();
    await t?.dispose();
  });

  describe('sign in and the session cookie', () => {
    it('signing in sets an HttpOnly, SameSite=Strict, Path=/console cookie (Secure only over HTTPS) and stores only the token hash', async () => {
      const client = new ConsoleClient(t.authority);
      const res = await client.post('/console/sign-in', { form: { apiKey: api.apiKey! }, csrf: false });
      expect([res.status, res.location]).toEqual([303, '/console/bundles']);
      const setCookie = res.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Strict/);
      expect(setCookie).toMatch(/Path=\/console(;|$)/);
      expect(setCookie).not.toMatch(/Secure/);
      const token = sessionCookieValue(setCookie)!;
      const rows = await t.db.query<{ token_hash: string; developer_id: string }>('SELECT token_hash, developer_id FROM console_sessions');
      expect(rows.map((r) => r.token_hash)).toContain(await sha256Hex(token));
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(JSON.stringify(rows)).not.toContain(api.apiKey);

      const https = new ConsoleClient(t.authority, 'https://authority.test');
      const secure = await https.post('/console/sign-in', { form: { apiKey: api.apiKey! }, csrf: false });
      expect(secure.headers.get('set-cookie')).toMatch(/; Secure/);
      const behindProxy = await createAuthority({ db: t.db, rateLimits: false, publicUrl: 'https://auth.example.com' });
      const proxied = await new ConsoleClient(behindProxy).post('/console/sign-in', { form: { apiKey: api.apiKey! }, csrf: false, origin: 'https://auth.example.com' });
      expect(proxied.headers.get('set-cookie')).toMatch(/; Secure/);
      await behindProxy.close();
    });

    it('a wrong or revoked API key is 401 with the form again: no cookie, no session, the key not echoed', async () => {
      const before = await sessions();
      const client = new ConsoleClient(t.authority);
      const res = await client.post('/console/sign-in', { form: { apiKey: 'oc_not-a-key-anyone-holds-0123456789' }, csrf: false });
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(res.html).toContain('Unknown or revoked API key');
      expect(res.html).not.toContain('oc_not-a-key');
      expect(await sessions()).toBe(before);
    });

    it('the session is valid on a second instance sharing the database, and signing out there ends it on both', async () => {
      const client = new ConsoleClient(t.authority);
      await client.signIn(api.apiKey!);
      const there = client.on(second);
      const page = await there.get('/console/bundles');
      expect(page.status).toBe(200);
      expect(page.html).toContain(device.bundleId);
      const out = await there.post('/console/sign-out');
      expect([out.status, out.location]).toEqual([303, '/console/sign-in?signedOut=1']);
      expect(sessionCookieValue(out.headers.get('set-cookie'))).toBeNull();
      expect((await client.get('/console/bundles')).location).toBe('/console/sign-in');
      expect((await there.get('/console/bundles')).location).toBe('/console/sign-in');
    });

    it('revoking the API key a session was opened with ends the session at once, on every instance', async () => {
      const { apiKey, keyId } = (await api.post('/v1/api-keys')).body;
      const client = new ConsoleClient(t.authority);
      await client.signIn(apiKey);
      expect((await client.on(second).get('/console/agents')).status).toBe(200);
      expect((await api.post(`/v1/api-keys/${keyId}/revoke`)).status).toBe(200);
      for (const via of [client, client.on(second)]) {
        const res = await via.get('/console/agents');
        expect([res.status, res.location]).toEqual([303, '/console/sign-in']);
      }
      // Nor does its CSRF token still count for anything.
      const revoke = await client.post(`/console/bundles/${device.bundleId}/revoke`, { form: { confirm: device.bundleId } });
      expect([revoke.status, revoke.location]).toEqual([303, '/console/sign-in']);
      expect(await status(device.bundleId)).toBe('active');
    });

    it('a forged, unknown or malformed cookie is a 303 to sign in (and the cookie is dropped), never an error page', async () => {
      const client = new ConsoleClient(t.authority);
      await client.signIn(api.apiKey!);
      const [stored] = await t.db.query<{ token_hash: string }>('SELECT token_hash FROM console_sessions LIMIT 1');
      const forged = ['A'.repeat(43), 'x', stored!.token_hash, `${client.cookie!.slice(0, -1)}${client.cookie!.endsWith('A') ? 'B' : 'A'}`, '%00%27;DROP', 'é'.repeat(43)];
      for (const cookie of forged) {
        for (const path of ['/console/bundles', `/console/bundles/${device.bundleId}`, '/console/agents', '/console/enroll', `/console/bundles/${device.bundleId}/export.jsonl`]) {
          const res = await client.get(path, { cookie });
          expect([res.status, res.location], `${cookie} ${path}`).toEqual([303, '/console/sign-in']);
          expect(res.html).toBe('');
          expect(res.headers.get('set-cookie')).toMatch(/^oc_console=; Max-Age=0; Path=\/console/);
        }
        const post = await client.post(`/console/bundles/${device.bundleId}/revoke`, { cookie, form: { confirm: device.bundleId } });
        expect([post.status, post.location]).toEqual([303, '/console/sign-in']);
      }
      expect(await status(device.bundleId)).toBe('active');
      expect((await client.get('/console/bundles')).status).toBe(200); // the real session still stands
    });
  });

  describe('CSRF: the session token and the console origin, on every state-changing form', () => {
    let client: ConsoleClient;
    beforeAll(async () => {
      client = new ConsoleClient(t.authority);
      await client.signIn(api.apiKey!);
    });

    const unchanged = async (attempt: () => Promise<{ status: number; html: string }>) => {
      const before = { rows: await rowCounts(t.db), enrollments: await t.db.query('SELECT id FROM enrollments'), sessions: await sessions() };
      const res = await attempt();
      expect(res.status).toBe(403);
      expect({ rows: await rowCounts(t.db), enrollments: await t.db.query('SELECT id FROM enrollments'), sessions: await sessions() }).toEqual(before);
      expect(await status(device.bundleId)).toBe('active');
      return res;
    };
    const revokeForm = () => ({ confirm: device.bundleId });
    const enrollForm = () => ({ agentId: device.identity.agentDID.replace('did:offlineconsent:', ''), userId: 'mallory', scopes: 'sensor:read', offlineTTL: '72h', maxLifetime: '30d', codeTTL: '10m' });

    it('a missing or wrong token → 403 and nothing changed (revoke, enroll, sign out)', async () => {
      const otherSession = new ConsoleClient(t.authority);
      await otherSession.signIn(other.apiKey!);
      // The last variant differs from the real token in its last character (1 token in 16 ends in 'A').
      for (const csrf of [false, 'x', otherSession.csrf!, `${client.csrf!.slice(0, -1)}${client.csrf!.endsWith('A') ? 'E' : 'A'}`] as const) {
        const res = await unchanged(() => client.post(`/console/bundles/${device.bundleId}/revoke`, { form: revokeForm(), csrf }));
        expect(res.html).toContain('nothing was changed');
        await unchanged(() => client.post('/console/enroll', { form: enrollForm(), csrf }));
        await unchanged(() => client.post('/console/sign-out', { csrf }));
      }
      expect((await client.get('/console/bundles')).status).toBe(200);
    });

    it('a cross-origin Origin header → 403 and nothing changed, even with the right token (and for sign-in)', async () => {
      for (const origin of ['https://evil.example', 'http://authority.test:8080', 'https://authority.test', 'null']) {
        await unchanged(() => client.post(`/console/bundles/${device.bundleId}/revoke`, { form: revokeForm(), origin }));
        await unchanged(() => client.post('/console/enroll', { form: enrollForm(), origin }));
        await unchanged(() => new ConsoleClient(t.authority).post('/console/sign-in', { form: { apiKey: api.apiKey! }, csrf: false, origin }));
      }
      // No Origin: a Referer from another origin, or none at all, is refused too; the console's own Referer is enough.
      await unchanged(() => client.post(`/console/bundles/${device.bundleId}/revoke`, { form: revokeForm(), origin: null, headers: { Referer: 'https://evil.example/page' } }));
      await unchanged(() => client.post(`/console/bundles/${device.bundleId}/revoke`, { form: revokeForm(), origin: null }));
      const viaReferer = await client.post('/console/enroll', { form: { ...enrollForm(), scopes: 'nope:none' }, origin: null, headers: { Referer: 'http://authority.test/console/enroll' } });
      expect(viaReferer.status).toBe(422); // got past the CSRF checks, then refused by the API's own scope check
    });

    it('every page forbids framing and inline script (CSP), and is not cached', async () => {
      for (const path of ['/console/sign-in', '/console/bundles', '/console/agents', '/console/enroll', `/console/bundles/${device.bundleId}`, `/console/bundles/${device.bundleId}/revoke`]) {
        const res = await client.get(path);
        const csp = res.headers.get('content-security-policy')!;
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("default-src 'none'");
        expect(csp).not.toMatch(/script-src|unsafe-inline/);
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.html).not.toMatch(/<script|\son[a-z]+=/i);
      }
    });
  });

  describe('bundles, trail, export', () => {
    let client: ConsoleClient;
    beforeAll(async () => {
      client = new ConsoleClient(t.authority);
      await client.signIn(api.apiKey!);
    });

    it('the bundles page lists status, device, last sync, entries held and flags, and filters by status', async () => {
      const page = await client.get('/console/bundles');
      const row = page.html.slice(page.html.indexOf(`<code>${device.bundleId}</code>`));
      expect(row.slice(0, row.indexOf('</tr>'))).toMatch(/badge active.*60.*flagged entries/s);
      expect((await client.get('/console/bundles?status=revoked')).html).not.toContain(device.bundleId);
      expect((await client.get('/console/bundles?status=bogus')).status).toBe(400);
      expect((await new ConsoleClient(t.authority).on(t.authority).get('/console/bundles')).status).toBe(303);
    });

    it('the trail pages by seq (50 a page, next/previous links), highlights flagged entries, and keeps flagged ones only on request', async () => {
      const first = await client.get(`/console/bundles/${device.bundleId}`);
      expect(first.status).toBe(200);
      expect(first.html).toContain('Entries 1 to 50');
      expect(first.html).toMatch(/<tr class="flagged" id="seq-7">.*afterDeadline/s);
      expect(first.html).toContain('verified at sync');
      expect(first.html).toContain(`href="/console/bundles/${device.bundleId}?after=50" rel="next"`);
      const next = await client.get(`/console/bundles/${device.bundleId}?after=50`);
      expect(next.html).toContain('Entries 51 to 60');
      expect(next.html).toContain(`href="/console/bundles/${device.bundleId}?before=51" rel="prev"`);
      expect((await client.get(`/console/bundles/${device.bundleId}?before=51`)).html).toContain('Entries 1 to 50');
      const flagged = await client.get(`/console/bundles/${device.bundleId}?flagged=1`);
      // seq 7 is after the deadline; seq 8, stamped before it, then ran backwards in time.
      expect([...flagged.html.matchAll(/<tr class="flagged" id="seq-(\d+)">/g)].map((m) => Number(m[1]))).toEqual([7, 8]);
      expect(flagged.html).toContain('clockAnomaly');
      expect(flagged.html).not.toMatch(/<tr id="seq-/);
      expect((await client.get(`/console/bundles/${device.bundleId}?after=abc`)).status).toBe(400);
      // Another tenant's bundle is not found, as in the API.
      const stranger = new ConsoleClient(t.authority);
      await stranger.signIn(other.apiKey!);
      for (const path of [`/console/bundles/${device.bundleId}`, `/console/bundles/${device.bundleId}/revoke`, `/console/bundles/${device.bundleId}/export.jsonl`]) {
        const res = await stranger.get(path);
        expect(res.status).toBe(404);
        expect(res.html).toContain('Bundle not found');
      }
    });

    it('Export JSONL streams the whole trail: the API\'s entries without id, syncedAt and flags, which verify', async () => {
      const res = await client.get(`/console/bundles/${device.bundleId}/export.jsonl`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/jsonl/);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${device.bundleId}.audit.jsonl"`);
      const lines = res.html.trimEnd().split('\n').map((l) => JSON.parse(l));
      const fromApi = (await api.get(`/v1/consent-bundles/${device.bundleId}/audit`)).body.entries.map(({ id: _i, syncedAt: _s, flags: _f, ...e }: Record<string, unknown>) => e);
      expect(lines).toEqual(fromApi);
      expect(lines).toHaveLength(60);
      expect(await verifyChain(lines, { publicKey: device.key.publicPem })).toEqual({ valid: true, count: 60 });
    });
  });

  describe('enrollment codes', () => {
    it('mints a code as POST /v1/enrollments does, shows it as text and as an inline SVG QR code, and a device redeems it', async () => {
      const client = new ConsoleClient(t.authority);
      await client.signIn(api.apiKey!);
      const agentId = device.identity.agentDID.replace('did:offlineconsent:', '');
      const form = await client.get(`/console/enroll?agentId=${agentId}`);
      expect(form.html).toContain(`<option value="${agentId}" selected="">`);
      const res = await client.post('/console/enroll', { form: { agentId, userId: 'bob', scopes: 'sensor:read, door:open', offlineTTL: '24h', maxLifetime: '30d', codeTTL: '10m' } });
      expect(res.status).toBe(201);
      const code = /<output id="code" class="code">(oce_[A-Za-z0-9_-]{32})<\/output>/.exec(res.html)?.[1];
      expect(code).toBeDefined();
      expect(res.html).toMatch(/<svg role="img" aria-label="QR code of enrollment code oce_[^"]+" focusable="false" xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(res.html).toContain(`{&quot;baseUrl&quot;:&quot;http://authority.test&quot;,&quot;code&quot;:&quot;${code}&quot;}`);
      const [row] = await t.db.query<{ scopes: string; offline_ttl_ms: number | string; status: string; code_hash: string }>('SELECT scopes, offline_ttl_ms, status, code_hash FROM enrollments WHERE code_hash = $1', [await sha256Hex(code!)]);
      expect([JSON.parse(row!.scopes), Number(row!.offline_ttl_ms), row!.status]).toEqual([['sensor:read', 'door:open'], 86_400_000, 'pending']);
      const key = await deviceKey();
      const redeemed = await api.as(null).post('/v1/enrollments/redeem', { code, auditPublicKey: key.publicPem });
      expect([redeemed.status, redeemed.body.scopes ?? JSON.parse(Buffer.from(redeemed.body.grantToken.split('.')[1], 'base64url').toString()).scp]).toEqual([201, ['sensor:read', 'door:open']]);
    });

    it('refuses what the API refuses (unregistered scope, TTL over the maximum), with the message and the form again', async () => {
      const client = new ConsoleClient(t.authority);
      await client.signIn(api.apiKey!);
      const agentId = device.identity.agentDID.replace('did:offlineconsent:', '');
      const base = { agentId, userId: 'bob', scopes: 'sensor:read', offlineTTL: '72h', maxLifetime: '30d', codeTTL: '10m' };
      const scope = await client.post('/console/enroll', { form: { ...base, scopes: 'files:delete' } });
      expect([scope.status, scope.html.includes('Scopes not registered for the agent: files:delete')]).toEqual([422, true]);
      expect(scope.html).toContain('value="files:delete"');
      const ttl = await client.post('/console/enroll', { form: { ...base, offlineTTL: '999h' } });
      expect([ttl.status, ttl.html.includes('exceeds the maximum')]).toEqual([422, true]);
      expect(csrfOf(ttl.html)).toBe(client.csrf);
    });
  });

  describe('revocation', () => {
    it('needs the confirmation POST: the GET only asks, a POST without the confirmation changes nothing; then the device is refused at its next sync', async () => {
      const { device: d } = await enrollDevice(api);
      await appendShaped(d, 3);
      await d.sync(d.entries);
      const client = new ConsoleClient(t.authority);
      await client.signIn(api.apiKey!);
      const ask = await client.get(`/console/bundles/${d.bundleId}/revoke`);
      expect(ask.status).toBe(200);
      expect(ask.html).toContain(`<title>Revoke ${d.bundleId}? · offline-consent console</title>`);
      expect(ask.html).toMatch(new RegExp(`<form method="post" action="/console/bundles/${d.bundleId}/revoke">`));
      expect(await status(d.bundleId)).toBe('active');
      for (const form of [{}, { confirm: device.bundleId }, { confirm: '' }] as Record<string, string>[]) {
        expect((await client.post(`/console/bundles/${d.bundleId}/revoke`, { form })).status).toBe(403);
      }
      expect(await status(d.bundleId)).toBe('active');
      const done = await client.post(`/console/bundles/${d.bundleId}/revoke`, { form: { confirm: d.bundleId } });
      expect([done.status, done.location]).toEqual([303, `/console/bundles/${d.bundleId}?notice=revoked`]);
      expect(await status(d.bundleId)).toBe('revoked');
      expect((await client.get(done.location!)).html).toContain('Revoked. The device is refused at its next sync');
      await appendShaped(d, 1);
      const sync = await d.sync(d.entries.slice(-1));
      expect(sync.body).toMatchObject({ revocationStatus: 'revoked', accepted: 1 });
    });
  });

  it('bundles page through keyset links: 50 a page, older and newer, the status filter kept', async () => {
    const tenant = await t.developer();
    const agentId = (await tenant.post('/v1/agents', { name: 'many', scopes: ['sensor:read'] })).body.agentId;
    const ids: string[] = [];
    for (let i = 0; i < 55; i++) ids.push((await tenant.post('/v1/consent-bundles', { agentId, userId: `u${i}`, scopes: ['sensor:read'] })).body.bundleId);
    const client = new ConsoleClient(t.authority);
    await client.signIn(tenant.apiKey!);
    const listed = (html: string) => [...html.matchAll(/<a href="\/console\/bundles\/(cb_[0-9a-f]+)">/g)].map((m) => m[1]);
    const first = await client.get('/console/bundles?status=active');
    expect(listed(first.html)).toEqual(ids.slice(5).reverse());
    const older = /href="(\/console\/bundles\?status=active&amp;before=\d+)" rel="next"/.exec(first.html)?.[1]?.replace(/&amp;/g, '&');
    expect(older).toBeDefined();
    const second = await client.get(older!);
    expect(listed(second.html)).toEqual(ids.slice(0, 5).reverse());
    expect(second.html).not.toContain('rel="next"');
    const newer = /href="(\/console\/bundles\?status=active&amp;after=\d+)" rel="prev"/.exec(second.html)?.[1]?.replace(/&amp;/g, '&');
    expect(listed((await client.get(newer!)).html)).toEqual(ids.slice(5).reverse());
    expect((await client.get('/console/bundles?before=1x')).status).toBe(400);
  });

  it('a session expires after sessionTTL (default 8 h) on every instance; a bad sessionTTL is refused at start', async () => {
    let clock = Date.now();
    const now = () => clock;
    const [a, b] = [await createAuthority({ db: t.db, rateLimits: false, now }), await createAuthority({ db: t.db, rateLimits: false, now, console: { sessionTTL: '30m' } })];
    try {
      const viaA = new ConsoleClient(a);
      const signIn = await viaA.signIn(api.apiKey!);
      expect(signIn.headers.get('set-cookie')).toMatch(/Max-Age=28800;/);
      clock += 8 * 3_600_000 - 1000;
      expect((await viaA.on(b).get('/console/agents')).status).toBe(200);
      clock += 2000;
      expect((await viaA.get('/console/agents')).location).toBe('/console/sign-in');
      expect((await viaA.on(b).get('/console/agents')).location).toBe('/console/sign-in');
      const viaB = new ConsoleClient(b);
      expect((await viaB.signIn(api.apiKey!)).headers.get('set-cookie')).toMatch(/Max-Age=1800;/);
    } finally {
      await a.close();
      await b.close();
    }
    await expect(createAuthority({ db: t.db, console: { sessionTTL: '31d' } })).rejects.toThrow(/sessionTTL/);
    await expect(createAuthority({ db: t.db, console: { sessionTTL: 'soon' } })).rejects.toThrow(TypeError);
  });

  it('/console and /console/ lead to the bundles (or to sign in); an unknown console page is an HTML 404', async () => {
    const client = new ConsoleClient(t.authority);
    for (const path of ['/console', '/console/']) expect((await client.get(path)).location).toBe('/console/bundles');
    expect((await client.get('/console/bundles')).location).toBe('/console/sign-in');
    const missing = await client.get('/console/nowhere');
    expect([missing.status, missing.headers.get('content-type')]).toEqual([404, 'text/html; charset=UTF-8']);
    expect((await client.get('/console/console.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('console: false turns it off', async () => {
    const off = await createAuthority({ db: t.db, rateLimits: false, console: false });
    const res = await off.fetch(new Request('http://authority.test/console/sign-in'));
    expect([res.status, (await res.json()).code]).toEqual([404, 'NOT_FOUND']);
    await off.close();
  });
});
