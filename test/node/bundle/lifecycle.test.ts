// The lifecycle client against a real node:http server that answers as scripted (the real
// authority's end-to-end use is in test/node/e2e).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import vectors from '../../vectors/interop-vectors.json';
import { AuthorityError, createConsentBundle, refreshBundle, type ConsentBundle } from '../../../src/node.js';

const bundle = vectors.legacyBundle.bundle as ConsentBundle;
type Script = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let script: Script = () => {};
const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];
let base = '';
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
    script(req, body, res);
  });
});
const reply = (status: number, body: unknown, headers: Record<string, string> = {}): Script => (_req, _body, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const options = () => ({ apiKey: 'k_secret_123', baseUrl: base, agentId: 'ag_1', userId: 'user_alice', scopes: ['sensor:read'], timeoutMs: 2_000 });

async function failure(p: Promise<unknown>): Promise<AuthorityError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(AuthorityError);
  expect(String((e as Error).message)).not.toContain('k_secret_123');
  return e as AuthorityError;
}

describe('createConsentBundle', () => {
  it('POSTs the upstream body with the key as a bearer token and returns the validated bundle (data wrapper or not)', async () => {
    script = reply(201, { ...bundle, data: bundle });
    expect(await createConsentBundle({ ...options(), deviceId: 'pi-1' })).toEqual({ ...bundle, hwmRequired: true });
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ method: 'POST', url: '/v1/consent-bundles', auth: 'Bearer k_secret_123' });
    expect(JSON.parse(last.body)).toEqual({ agentId: 'ag_1', userId: 'user_alice', scopes: ['sensor:read'], offlineTTL: '72h', offlineAuditKeyAlgorithm: 'Ed25519', deviceId: 'pi-1' });
    script = reply(201, bundle);
    expect(await createConsentBundle(options())).toEqual({ ...bundle, hwmRequired: true });
  });

  it.each([
    [401, 'UNAUTHORIZED'],
    [404, 'AGENT_NOT_FOUND'],
    [422, 'INVALID_SCOPES'],
    [500, 'INTERNAL'],
  ])('HTTP %i → AuthorityError with status, server code, message and request id', async (status, code) => {
    script = reply(status, { code, message: `scripted ${code}`, requestId: `req_${status}` });
    const e = await failure(createConsentBundle(options()));
    expect(e).toMatchObject({ status, code, requestId: `req_${status}` });
    expect(e.message).toContain(`scripted ${code}`);
  });

  it('takes the request id from x-request-id when the body has none, and names non-JSON answers by status', async () => {
    script = (_q, _b, res) => {
      res.writeHead(502, { 'x-request-id': 'req_hdr' });
      res.end('<html>bad gateway</html>');
    };
    expect(await failure(createConsentBundle(options()))).toMatchObject({ status: 502, code: 'HTTP_502', requestId: 'req_hdr' });
  });

  it('an answer that is not a bundle → INVALID_BUNDLE naming the field', async () => {
    script = reply(201, { ...bundle, offlineExpiresAt: 'never' });
    await expect(createConsentBundle(options())).rejects.toMatchObject({ code: 'INVALID_BUNDLE', field: 'offlineExpiresAt' });
  });

  it('a server that never answers → TIMEOUT; a closed port → NETWORK_ERROR', async () => {
    script = () => {}; // hang
    expect(await failure(createConsentBundle({ ...options(), timeoutMs: 200 }))).toMatchObject({ code: 'TIMEOUT' });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await failure(createConsentBundle({ ...options(), baseUrl: `http://127.0.0.1:${port}` }))).toMatchObject({ code: 'NETWORK_ERROR' });
  });

  it('headers then silence → TIMEOUT (the body is under the same deadline); headers then a dropped socket → NETWORK_ERROR', async () => {
    script = (_q, _b, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': '5000' });
      res.write('{"bundleId":');
    };
    expect(await failure(createConsentBundle({ ...options(), timeoutMs: 300 }))).toMatchObject({ code: 'TIMEOUT', status: 201 });
    script = (_q, _b, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': '5000' });
      res.write('{"bundleId":', () => res.socket?.destroy());
    };
    expect(await failure(createConsentBundle(options()))).toMatchObject({ code: 'NETWORK_ERROR', status: 201 });
  });

  it('an error message that echoes the API key or the grant token has them cut out', async () => {
    script = (req, _b, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'UNAUTHORIZED', message: `bad credentials: ${req.headers.authorization} for ${bundle.grantToken}` }));
    };
    const created = await failure(createConsentBundle(options()));
    expect(created.message).toContain('bad credentials: Bearer [redacted]');
    const refreshed = await failure(refreshBundle(bundle, 'k_secret_123', base));
    expect(refreshed.message).not.toContain(bundle.grantToken);
    expect(refreshed.message).toContain('for [redacted]');
  });

  it('refuses a timeoutMs that is not a positive number', async () => {
    await expect(createConsentBundle({ ...options(), timeoutMs: 0 })).rejects.toBeInstanceOf(RangeError);
  });

  it('a caller abort rejects with the caller reason, not a timeout', async () => {
    script = () => {};
    const controller = new AbortController();
    const pending = createConsentBundle({ ...options(), signal: controller.signal });
    controller.abort(new Error('user left'));
    await expect(pending).rejects.toThrow('user left');
  });
});

describe('refreshBundle', () => {
  it('POSTs to the bundle refresh path, with the base URL given or taken from syncEndpoint', async () => {
    script = reply(200, { data: bundle });
    await refreshBundle(bundle, 'k_secret_123', base);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/v1/consent-bundles/cb_01HXBUNDLE/refresh' });
    await refreshBundle({ ...bundle, syncEndpoint: `${base}/v1/audit/offline-sync` }, 'k_secret_123');
    expect(seen.at(-1)!.url).toBe('/v1/consent-bundles/cb_01HXBUNDLE/refresh');
    const calls: string[] = [];
    const counting: typeof fetch = (input, init) => (calls.push(String(input)), fetch(input, init));
    await refreshBundle({ ...bundle, syncEndpoint: `${base}/v1/audit/offline-sync/` }, 'k_secret_123', { fetch: counting, timeoutMs: 2_000 });
    expect(calls).toEqual([`${base}/v1/consent-bundles/cb_01HXBUNDLE/refresh`]);
    script = reply(409, { code: 'BUNDLE_REVOKED', message: 'revoked' });
    expect(await failure(refreshBundle(bundle, 'k_secret_123', { baseUrl: base }))).toMatchObject({ status: 409, code: 'BUNDLE_REVOKED' });
  });
});
