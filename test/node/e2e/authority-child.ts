// The built authority in its own process (authority-process.mjs), so a test can SIGKILL it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll } from 'vitest';
import { generateApiKey } from '../../../src/authority/index.js';
import { createPostgresDatabase, type EngineName } from '../authority/harness.js';

export interface Running {
  url: string;
  port: number;
  child: ChildProcess;
}

/** Starts the authority with these startAuthority options; resolves once it listens. */
export function startProcess(options: Record<string, unknown>): Promise<Running> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'authority-process.mjs'), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`authority exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ ...JSON.parse(line), child }));
  });
}

/** SIGKILL: no shutdown, requests in flight are cut. */
export function kill(running: Running): Promise<void> {
  return new Promise((resolve) => {
    if (running.child.exitCode !== null || running.child.signalCode !== null) return resolve();
    running.child.removeAllListeners('exit');
    running.child.once('exit', () => resolve());
    running.child.kill('SIGKILL');
  });
}

/** One JSON request with the API key. */
export async function call(url: string, apiKey: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** Every entry the authority stores for a bundle (all pages of GET …/audit). */
export async function storedEntries(url: string, apiKey: string, bundleId: string): Promise<any[]> {
  const out: any[] = [];
  for (let after = 0; ; ) {
    const page = (await call(url, apiKey, 'GET', `/v1/consent-bundles/${bundleId}/audit?afterSeq=${after}&limit=1000`)).body;
    out.push(...page.entries);
    if (!page.hasMore) return out;
    after = page.nextAfterSeq;
  }
}

/**
 * For a describe block: a temp dir, an API key, and `start(port?)` for authority processes on
 * the engine (PGlite in the dir, or a fresh PostgreSQL database); all cleaned up afterwards.
 */
export function authorityProcesses(engine: EngineName, prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-${engine}-`));
  const apiKey = generateApiKey();
  const started: Running[] = [];
  let location: Record<string, unknown> = {};
  let dispose = async () => {};
  beforeAll(async () => {
    if (engine === 'pglite') location = { dataDir: join(dir, 'db') };
    else {
      const database = await createPostgresDatabase();
      location = { databaseUrl: database.url };
      dispose = database.drop;
    }
  });
  afterAll(async () => {
    await Promise.all(started.map(kill));
    await dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (port = 0) => {
    const running = await startProcess({ ...location, apiKey, rateLimits: false, port });
    started.push(running);
    return running;
  };
  return { dir, apiKey, start };
}
