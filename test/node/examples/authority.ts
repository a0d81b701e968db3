// A real authority for the example tests: PGlite on disk in a temp folder, a developer made by
// `initAuthority`, served over loopback HTTP. It can be stopped and restarted on the same port
// (the device's "network is down"), and `backend` calls it with the API key, as an operator would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { initAuthority, startAuthority, type RunningAuthority } from '../../../src/authority/index.js';

export interface ExampleAuthority {
  /** The temp folder holding the database; tests put device folders beside it. */
  dir: string;
  apiKey: string;
  url: string;
  /** A call with the API key; fails the test on a non-2xx answer. */
  backend(method: string, path: string, body?: unknown): Promise<any>;
  /** An agent allowed `scopes`, and a one-time code for `granted` of them. */
  agentWithCode(scopes: string[], granted: string[]): Promise<{ agentId: string; code: string; enrollmentId: string }>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startExampleAuthority(options: { corsOrigins?: string[] } = {}): Promise<ExampleAuthority> {
  const dir = mkdtempSync(join(tmpdir(), 'oc-example-'));
  const dataDir = join(dir, 'db');
  const { apiKey } = await initAuthority({ dataDir, name: 'examples' });
  const start = (port?: number) => startAuthority({ dataDir, rateLimits: false, ...(port ? { port } : {}), ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}) });
  let server: RunningAuthority | null = await start();
  const { url, port } = server;

  async function backend(method: string, path: string, body?: unknown): Promise<any> {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await res.json();
    expect(res.status, `${method} ${path}: ${JSON.stringify(json)}`).toBeLessThan(300);
    return json.data ?? json;
  }

  const stop = async () => {
    const running = server;
    server = null;
    await running?.close();
  };
  return {
    dir,
    apiKey,
    url,
    backend,
    async agentWithCode(scopes, granted) {
      const { agentId } = await backend('POST', '/v1/agents', { name: 'example-agent', scopes });
      const { code, enrollmentId } = await backend('POST', '/v1/enrollments', { agentId, userId: 'alice', scopes: granted, offlineTTL: '1h' });
      return { agentId, code, enrollmentId };
    },
    stop,
    async restart() {
      await stop();
      server = await start(port);
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
