// The command `npm run playground` ends in: the built server as its own process. What it
// serves, and what its device proxy lets through (the developer API key stays server-side).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './page.js';

let child: ChildProcess;
let base = '';
let output = '';

beforeAll(async () => {
  child = spawn(process.execPath, [join(ROOT, 'playground/dist/server/main.js'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d) => (output += d));
  base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += d;
      const url = /playground: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
      if (url) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}, 60_000);

afterAll(() => {
  child?.kill('SIGTERM');
});

const get = (path: string, init?: RequestInit) => fetch(new URL(path, base), init);

describe('playground server process', () => {
  it('prints its URL and serves the page, its service worker and MediaPipe WASM from the installed package', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="assets/main.js">');
    expect((await get('/sw.js')).headers.get('content-type')).toMatch(/javascript/);
    const wasm = await get('/mediapipe/wasm/genai_wasm_internal.wasm', { method: 'HEAD' });
    expect([wasm.status, wasm.headers.get('content-type')]).toEqual([200, 'application/wasm']);
    expect(output).toMatch(/authority data: in memory/);
  });

  it('gives the page a session token, never the developer API key', async () => {
    const config = await (await get('/playground/config')).json();
    expect(config).toMatchObject({ userId: 'playground-user', engine: 'pglite', scopes: ['sensor:read', 'thermostat:write', 'calendar:read', 'email:send'] });
    expect(config.sessionToken).toMatch(/^[\w-]{32}$/);
    expect(JSON.stringify(config)).not.toMatch(/apiKey|api_key/i);
    // The session token is not an API key: the authority itself refuses it.
    const direct = await get('/v1/agents', { headers: { authorization: `Bearer ${config.sessionToken}` } });
    expect(direct.status).toBe(401);
  });

  it('the device proxy forwards only device calls, and only with the session token', async () => {
    const { sessionToken, agentId } = await (await get('/playground/config')).json();
    const auth = { authorization: `Bearer ${sessionToken}`, 'content-type': 'application/json' };
    expect((await get('/app/v1/consent-bundles', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    const listAgents = await get('/app/v1/agents', { headers: auth });
    expect([listAgents.status, (await listAgents.json()).code]).toEqual([403, 'FORBIDDEN']);
    // A bundle request names another agent and user: the proxy pins both to the playground's.
    const created = await get('/app/v1/consent-bundles', { method: 'POST', headers: auth, body: JSON.stringify({ agentId: 'ag_someone_else', userId: 'mallory', scopes: ['sensor:read'], offlineTTL: '1h' }) });
    expect(created.status).toBe(201);
    const bundle = await created.json();
    const claims = JSON.parse(Buffer.from(bundle.grantToken.split('.')[1], 'base64url').toString());
    expect([claims.agt, claims.sub]).toEqual([`did:offlineconsent:${agentId}`, 'playground-user']);
  });
});
