// The playground's two loopback servers: the page's (the built page, MediaPipe's WASM from
// the installed package, optional local model files, and the demo app's backend, which alone
// holds the developer API key) and, on its own origin, an embedded authority (PGlite; in
// memory unless given a data directory) that the page calls directly, signing its calls.
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { generateApiKey, startAuthority } from 'offline-consent/authority';
import { consentRoutes, type AuthorityCall } from './consent.js';

export const DEMO_SCOPES = ['sensor:read', 'thermostat:write', 'calendar:read', 'email:send'];
export const DEMO_USER = 'playground-user';

export interface PlaygroundOptions {
  /** The built page (index.html, assets/). */
  pageDir: string;
  port?: number;
  /** The authority's port (default 0: a free one). */
  authorityPort?: number;
  host?: string;
  /** Keep the authority's database (and its API key) here across restarts; default: in memory. */
  dataDir?: string;
  /** Serve model files (`.task` / `.litertlm` files, Transformers.js model folders) from this directory at `/models/`. */
  modelsDir?: string;
}

export interface RunningPlayground {
  /** The page's origin (and the demo app's backend). */
  url: string;
  /** The authority's base URL, another origin: the page calls it directly. */
  authorityUrl: string;
  /** The developer API key the backend uses (an operator credential; never sent to the page). */
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

async function ensureAgent(call: AuthorityCall): Promise<string> {
  const { json } = await call('GET', '/v1/agents?limit=100');
  const found = json.agents?.find((a: any) => a.name === 'playground-agent' && a.status === 'active');
  if (found) return found.agentId;
  const created = await call('POST', '/v1/agents', { name: 'playground-agent', description: 'The in-browser Gemma agent', scopes: DEMO_SCOPES });
  if (created.status !== 201) throw new Error(`authority POST /v1/agents: ${created.status} ${created.json.code}`);
  return created.json.agentId;
}

const urlOf = (host: string, port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

/** The page's origin as a browser spells it, plus `localhost` for a loopback address. */
function pageOrigins(host: string, port: number): string[] {
  const origins = [urlOf(host, port)];
  if (host === '127.0.0.1' || host === '::1') origins.push(`http://localhost:${port}`);
  return origins;
}

/** ONNX Runtime Web's `dist/` as installed for Transformers.js, or null when it is not installed. */
function onnxRuntimeWebDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    return dirname(createRequire(require.resolve('@huggingface/transformers')).resolve('onnxruntime-web'));
  } catch {
    return null; // the Transformers.js engine then says it cannot load its runtime
  }
}

export async function startPlayground(options: PlaygroundOptions): Promise<RunningPlayground> {
  const host = options.host ?? '127.0.0.1';
  const apiKey = persistentApiKey(options.dataDir);
  const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@mediapipe/tasks-genai')), 'wasm');
  const ortDir = onnxRuntimeWebDir();

  // The page's server listens first: the authority needs its origin for CORS.
  const app = new Hono();
  const ready: { handler?: (request: Request) => Promise<Response> | Response } = {};
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: (request) => ready.handler?.(request) ?? new Response('Starting', { status: 503, headers: { 'Retry-After': '1' } }), port: options.port ?? 0, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const { port } = server.address() as AddressInfo;

  let authority: Awaited<ReturnType<typeof startAuthority>>;
  try {
    authority = await startAuthority({
      port: options.authorityPort ?? 0,
      host,
      ...(options.dataDir ? { dataDir: join(options.dataDir, 'authority') } : {}),
      apiKey,
      corsOrigins: pageOrigins(host, port),
      rateLimits: { createBundle: { limit: 60, windowMs: 60_000 }, sync: { limit: 120, windowMs: 60_000 } },
    });
  } catch (error) {
    await closeServer();
    throw error;
  }
  const call: AuthorityCall = async (method, path, body) => {
    const res = await authority.authority.fetch(new Request(new URL(path, authority.url), {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }));
    return { status: res.status, json: await res.json() };
  };
  try {
    const agentId = await ensureAgent(call);
    consentRoutes(app, {
      call, authorityUrl: authority.url, agentId, userId: DEMO_USER, scopes: DEMO_SCOPES,
      config: { engine: authority.authority.engine, models: options.modelsDir ? '/models/' : null },
    });
  } catch (error) {
    await closeServer();
    await authority.close();
    throw error;
  }
  app.use('/mediapipe/wasm/*', serveStatic({ root: wasmDir, rewriteRequestPath: (p) => p.replace(/^\/mediapipe\/wasm/, '') }));
  if (ortDir) app.use('/ort/*', serveStatic({ root: ortDir, rewriteRequestPath: (p) => p.replace(/^\/ort/, '') }));
  if (options.modelsDir) app.use('/models/*', serveStatic({ root: options.modelsDir, rewriteRequestPath: (p) => p.replace(/^\/models/, '') }));
  app.use('/*', serveStatic({ root: options.pageDir }));
  ready.handler = app.fetch;

  return {
    url: `${urlOf(host, port)}/`,
    authorityUrl: authority.url,
    apiKey,
    close: async () => {
      await closeServer();
      await authority.close();
    },
  };
}
