// Drives the playground page the way a user does; shared by the playground tests.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { CHROMIUM, CHROMIUM_ARGS } from '../browser-page.js';
import { startPlayground, type PlaygroundOptions, type RunningPlayground } from '../../../playground/server/app.js';
export { dumpBrowserStorage } from './storage-dump.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const PAGE_DIR = join(ROOT, 'playground/dist/page');
const SHOTS = join(ROOT, 'test-results/playground');

/** Software WebGPU (SwiftShader): a real adapter without a GPU. */
export const SWIFTSHADER_WEBGPU = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader'];

/** Newest modification time of any file under `dir`. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/**
 * Builds the page, and the library (dist/) when it is missing or older than src/: the page's
 * server imports `offline-consent/authority` and the cross-origin device page loads dist/browser.js.
 */
export function buildPlayground(): void {
  const node = process.execPath;
  const built = ['dist/authority.js', 'dist/browser.js'].map((f) => join(ROOT, f));
  if (!built.every(existsSync) || Math.min(...built.map((f) => statSync(f).mtimeMs)) < newest(join(ROOT, 'src'))) {
    execFileSync(node, ['node_modules/rollup/dist/bin/rollup', '-c', '--silent'], { cwd: ROOT });
  }
  execFileSync(node, ['node_modules/rollup/dist/bin/rollup', '-c', 'playground/rollup.config.mjs', '--silent'], { cwd: ROOT });
}

export function launch(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

export async function openPage(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
}

// The turn is over when its Stop button is hidden again (after the page re-rendered): Send may
// stay off then, when the agent halted.
const idle = (page: Page) => page.waitForFunction(() => document.getElementById('stop')!.hidden, undefined, { timeout: 20_000 });

/** Sends a chat message and waits until the agent's turn is over. */
export async function say(page: Page, text: string): Promise<void> {
  await page.fill('#chat-input', text);
  await page.press('#chat-input', 'Enter');
  await page.waitForFunction(() => (document.getElementById('send') as HTMLButtonElement).disabled);
  await idle(page);
}

/** Clicks a button and waits for the page to be idle again. */
export async function press(page: Page, id: string): Promise<void> {
  await page.click(`#${id}`);
  await page.waitForFunction((bid) => !(document.getElementById(bid) as HTMLButtonElement).disabled, id, { timeout: 30_000 });
}

export const auditRows = (page: Page) =>
  page.$$eval('#audit-rows tr', (rows) => rows.map((r) => {
    const cells = [...r.querySelectorAll('td')].map((td) => td.textContent ?? '');
    return { seq: Number(cells[0]), action: cells[2], result: cells[3] };
  }).reverse());

export const text = async (page: Page, selector: string) => (await page.textContent(selector))?.trim() ?? '';

/** One request the page made, as Playwright saw it leave. */
export interface SeenRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

export interface PlaygroundRun {
  server: RunningPlayground;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested. */
  requested: string[];
  /** Every request the page made: URL, method, headers and body. */
  requests: SeenRequest[];
  /** URLs requested anywhere but the page's server and the authority (a CDN would show up here). */
  offServer(): string[];
  close(): Promise<void>;
}

/** Records every request a page (and its service worker) makes, headers and body included. */
export function recordRequests(context: BrowserContext, into: SeenRequest[], urls: string[] = []): void {
  context.on('request', (r) => {
    urls.push(r.url());
    into.push({ url: r.url(), method: r.method(), headers: r.headers(), body: r.postDataBuffer()?.toString('latin1') ?? '' });
  });
}

/** Starts the playground server and Chromium, and opens the page. */
export async function startRun(options: Omit<PlaygroundOptions, 'pageDir'> = {}, chromiumArgs: string[] = []): Promise<PlaygroundRun> {
  const server = await startPlayground({ pageDir: PAGE_DIR, ...options });
  const browser = await launch(chromiumArgs);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requested: string[] = [];
  const requests: SeenRequest[] = [];
  recordRequests(context, requests, requested);
  await openPage(page, server.url);
  const ours = [new URL(server.url).origin, new URL(server.authorityUrl).origin];
  return {
    server, browser, context, page, requested, requests,
    offServer: () => requested.filter((u) => !ours.includes(new URL(u).origin) && !/^(data|blob):/.test(u)),
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
