// The playground's one loopback server: the built page, MediaPipe's WASM from the installed
// package, optional local model files, the demo app's device proxy, and an embedded
// authority (PGlite; in memory unless given a data directory).
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { createAuthority, generateApiKey } from 'offline-consent/authority';
import { deviceProxy } from './device-proxy.js';

export const DEMO_SCOPES = ['sensor:read', 'thermostat:write', 'calendar:read', 'email:send'];
export const DEMO_USER = 'playground-user';

export interface PlaygroundOptions {
  /** The built page (index.html, assets/). */
  pageDir: string;
  port?: number;
  host?: string;
  /** Keep the authority's database (and its API key) here across restarts; default: in memory. */
  dataDir?: string;
  /** Serve `.task` / `.litertlm` files from this directory at `/models/`. */
  modelsDir?: string;
}

export interface RunningPlayground {
  url: string;
  /** The developer API key the device proxy uses (an operator credential; never sent to the page). */
  apiKey: string;
  close(): Promise<void>;
}

function persistentApiKey(dataDir: string | undefined): string {
  if (!dataDir) return generateApiKey();
  const file = join(dataDir, 'playground-api-key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const key = generateApiKey();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, key, { mode: 0o600 });
    return key;
  }
}

async function ensureAgent(call: (method: string, path: string, body?: unknown) => Promise<any>): Promise<string> {
  const { agents } = await call('GET', '/v1/agents?limit=100');
  const found = agents.find((a: any) => a.name === 'playground-agent' && a.status === 'active');
  if (found) return found.agentId;
  return (await call('POST', '/v1/agents', { name: 'playground-agent', description: 'The in-browser Gemma agent', scopes: DEMO_SCOPES })).agentId;
}

export async function startPlayground(options: PlaygroundOptions): Promise<RunningPlayground> {
  const apiKey = persistentApiKey(options.dataDir);
  const authority = await createAuthority({
    ...(options.dataDir ? { dataDir: join(options.dataDir, 'authority') } : {}),
    apiKey,
    rateLimits: { createBundle: { limit: 60, windowMs: 60_000 }, sync: { limit: 120, windowMs: 60_000 } },
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await authority.fetch(new Request(`http://playground.internal${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }));
    const json = await res.json();
    if (!res.ok) throw new Error(`authority ${method} ${path}: ${res.status} ${json.code}`);
    return json;
  };
  const agentId = await ensureAgent(call);
  const sessionToken = randomBytes(24).toString('base64url');
  const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@mediapipe/tasks-genai')), 'wasm');

  const app = new Hono();
  app.get('/playground/config', (c) => c.json({ sessionToken, agentId, userId: DEMO_USER, scopes: DEMO_SCOPES, engine: authority.engine, models: options.modelsDir ? '/models/' : null }));
  app.all('/app/*', deviceProxy({ fetch: (r) => authority.fetch(r), apiKey, sessionToken, agentId, userId: DEMO_USER }));
  // The operator's console, reduced to one button: revoke the page's bundle.
  app.post('/operator/consent-bundles/:id/revoke', async (c) => {
    if (c.req.header('authorization') !== `Bearer ${sessionToken}`) return c.json({ code: 'UNAUTHORIZED', message: 'Not this playground session' }, 401);
    return authority.fetch(new Request(new URL(`/v1/consent-bundles/${encodeURIComponent(c.req.param('id'))}/revoke`, c.req.url), {
      method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: '{}',
    }));
  });
  for (const path of ['/v1/*', '/health', '/.well-known/*']) app.all(path, (c) => authority.fetch(c.req.raw));
  app.use('/mediapipe/wasm/*', serveStatic({ root: wasmDir, rewriteRequestPath: (p) => p.replace(/^\/mediapipe\/wasm/, '') }));
  if (options.modelsDir) app.use('/models/*', serveStatic({ root: options.modelsDir, rewriteRequestPath: (p) => p.replace(/^\/models/, '') }));
  app.use('/*', serveStatic({ root: options.pageDir }));

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: options.host ?? '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    apiKey,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await authority.close();
    },
  };
}
