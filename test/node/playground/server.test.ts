// The command `npm run playground` ends in: the built server as its own process. What it
// serves, and what its backend does with the developer API key it alone holds: a one-time
// enrollment code for exactly the demo scopes the user ticked, and only for a page session.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './page.js';

let child: ChildProcess;
let base = '';
let authorityUrl = '';
let output = '';

beforeAll(async () => {
  child = spawn(process.execPath, [join(ROOT, 'playground/dist/server/main.js'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d) => (output += d));
  [base, authorityUrl] = await new Promise<[string, string]>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += d;
      const page = /playground: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
      const authority = /authority \(the page calls it directly\): (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (page && authority) resolve([page, authority]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}, 60_000);

afterAll(() => {
  child?.kill('SIGTERM');
});

const get = (path: string, init?: RequestInit) => fetch(new URL(path, base), init);
const session = async () => (await (await get('/playground/session', { method: 'POST' })).json()).sessionToken as string;
const consent = (token: string | null, body: unknown) => get('/playground/consent', {
  method: 'POST',
  headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const devicePublicKey = () => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('playground server process', () => {
  it('prints both URLs and serves the page, its service worker and MediaPipe WASM from the installed package', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="assets/main.js">');
    expect((await get('/sw.js')).headers.get('content-type')).toMatch(/javascript/);
    const wasm = await get('/mediapipe/wasm/genai_wasm_internal.wasm', { method: 'HEAD' });
    expect([wasm.status, wasm.headers.get('content-type')]).toEqual([200, 'application/wasm']);
    expect(output).toMatch(/authority data: in memory/);
    expect(new URL(authorityUrl).origin).not.toBe(new URL(base).origin);
    expect((await fetch(`${authorityUrl}/health`)).status).toBe(200);
  });

  it('the page\'s server no longer forwards anything to the authority (no device proxy)', async () => {
    for (const path of ['/app/v1/consent-bundles', '/v1/consent-bundles', '/v1/audit/offline-sync']) {
      expect((await get(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, path).toBe(404);
    }
  });

  it('/playground/config names the authority and carries no credential', async () => {
    const res = await get('/playground/config');
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ engine: 'pglite', models: null, authorityUrl, userId: 'playground-user', scopes: ['sensor:read', 'thermostat:write', 'calendar:read', 'email:send'] });
    expect(text).not.toMatch(/apiKey|api_key|sessionToken|"oc_/i);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('a page session token is not an API key: the authority refuses it', async () => {
    const token = await session();
    expect(token).toMatch(/^[\w-]{32}$/);
    expect((await fetch(`${authorityUrl}/v1/agents`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('/playground/consent refuses without a session token, or with one it did not issue', async () => {
    for (const token of [null, 'not-a-session-token-of-this-server']) {
      const res = await consent(token, { scopes: ['sensor:read'], offlineTTL: '1h' });
      expect([res.status, (await res.json()).code]).toEqual([401, 'UNAUTHORIZED']);
    }
  });

  it('/playground/consent refuses scopes that are not demo scopes, no scopes, and a TTL that is not a duration', async () => {
    const token = await session();
    for (const body of [
      { scopes: ['sensor:read', 'admin:all'], offlineTTL: '1h' },
      { scopes: [], offlineTTL: '1h' },
      { scopes: 'sensor:read', offlineTTL: '1h' },
      { scopes: ['sensor:read', 'sensor:read'], offlineTTL: '1h' },
    ]) {
      const res = await consent(token, body);
      expect([res.status, (await res.json()).code], JSON.stringify(body)).toEqual([400, 'INVALID_SCOPES']);
    }
    const ttl = await consent(token, { scopes: ['sensor:read'], offlineTTL: 'forever' });
    expect([ttl.status, (await ttl.json()).code]).toEqual([400, 'INVALID_TTL']);
  });

  it('/playground/consent returns a one-time code for exactly the ticked scopes, redeemed at the authority with no credential', async () => {
    const res = await consent(await session(), { scopes: ['sensor:read', 'calendar:read'], offlineTTL: '1h' });
    expect(res.status).toBe(201);
    const minted = await res.json();
    expect(minted).toEqual({ code: expect.stringMatching(/^oce_[\w-]{32}$/), expiresAt: expect.any(String), authorityUrl });
    const redeem = () => fetch(`${authorityUrl}/v1/enrollments/redeem`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: minted.code, auditPublicKey: devicePublicKey() }),
    });
    const first = await redeem();
    expect(first.status).toBe(201);
    const bundle = await first.json();
    const claims = JSON.parse(Buffer.from(bundle.grantToken.split('.')[1], 'base64url').toString());
    expect(claims.sub).toBe('playground-user');
    expect(claims.scp ?? claims.scopes ?? claims.scope).toEqual(['sensor:read', 'calendar:read']);
    expect(bundle.offlineAuditKey.privateKey).toBeUndefined(); // the device made it; the authority never had it
    expect((await redeem()).status).toBe(409); // single use
  });

  it('the operator button revokes only the session\'s own bundle', async () => {
    const res = await get('/operator/consent-bundles/cb_someone_else/revoke', { method: 'POST', headers: { authorization: `Bearer ${await session()}` } });
    expect(res.status).toBe(403);
    expect((await get('/operator/consent-bundles/cb_x/revoke', { method: 'POST' })).status).toBe(401);
  });

  it('the authority answers CORS preflights from the page\'s origin on device endpoints only', async () => {
    const origin = new URL(base).origin;
    const preflight = (path: string, from: string) => fetch(`${authorityUrl}${path}`, {
      method: 'OPTIONS', headers: { origin: from, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,oc-device-proof' },
    });
    expect((await preflight('/v1/enrollments/redeem', origin)).headers.get('access-control-allow-origin')).toBe(origin);
    expect((await preflight('/v1/audit/offline-sync', origin)).headers.get('access-control-allow-origin')).toBe(origin);
    expect((await preflight('/v1/audit/offline-sync', 'http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight('/v1/enrollments', origin)).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight('/v1/agents', origin)).headers.get('access-control-allow-origin')).toBeNull();
  });
});
