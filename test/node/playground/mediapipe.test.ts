// The real engine's path on software WebGPU (SwiftShader): MediaPipe's WASM comes from this
// server (never a CDN), a model URL and a picked file are streamed into the OPFS cache with a
// progress bar, and a file that is not a model is reported as "failed to load" with the reason.
// No Gemma weights exist on this machine, so generation itself is not exercised here.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWIFTSHADER_WEBGPU, shot, startRun, text, type PlaygroundRun } from './page.js';

const models = mkdtempSync(join(tmpdir(), 'oc-models-'));
const notAModel = randomBytes(3 * 1024 * 1024);
let run: PlaygroundRun;
let page: Page;

beforeAll(async () => {
  writeFileSync(join(models, 'not-gemma.task'), notAModel);
  writeFileSync(join(models, 'picked.litertlm'), notAModel.subarray(0, 1024 * 1024));
  run = await startRun({ modelsDir: models }, SWIFTSHADER_WEBGPU);
  page = run.page;
}, 120_000);

afterAll(async () => {
  await run?.close();
  rmSync(models, { recursive: true, force: true });
});

/** Waits until the engine status line says the load failed for `why`. */
const failed = (page: Page, why: RegExp) =>
  page.waitForFunction((re) => new RegExp(re).test(document.getElementById('engine-state')!.textContent ?? ''), `failed to load: .*${why.source}`, { timeout: 90_000 });

describe('playground model engine on software WebGPU', () => {
  it('offers Gemma on WebGPU when an adapter exists', async () => {
    expect(await text(page, '#gpu-state')).toMatch(/^WebGPU available/);
    expect(await page.isChecked('#engine-mediapipe')).toBe(true);
    expect(await page.isVisible('#model-load')).toBe(true);
  });

  it('a URL is streamed into the OPFS cache, then MediaPipe (WASM from this server) reports why the file is not a model', async () => {
    await page.fill('#model-url', '/models/not-gemma.task');
    await page.click('#model-fetch');
    await failed(page, /No model format matched/); // MediaPipe's own words for bytes that are not a model
    expect(await text(page, '#engine-state')).toMatch(/^The model failed to load: .{10,}/);
    expect(await page.$$eval('#model-cached option', (o) => o.map((x) => x.textContent))).toContain('not-gemma.task (3.1 MB)');
    const cachedBytes = await page.evaluate(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('offline-consent-models');
      return (await (await dir.getFileHandle('not-gemma.task')).getFile()).size;
    });
    expect(cachedBytes).toBe(notAModel.length);
    expect(run.requested.some((u) => u.startsWith(`${run.server.url}mediapipe/wasm/`) && u.endsWith('.wasm'))).toBe(true);
    expect(run.offServer()).toEqual([]);
    await shot(page, '08-model-failed');
  });

  it('a URL that does not answer with a model says so', async () => {
    await page.fill('#model-url', '/models/missing.task');
    await page.click('#model-fetch');
    await failed(page, /answered 404/);
  });

  it('a picked local file is cached under its name and handed to the engine', async () => {
    await page.setInputFiles('#model-file', join(models, 'picked.litertlm'));
    await page.waitForFunction(() => [...document.querySelectorAll('#model-cached option')].some((o) => o.textContent?.startsWith('picked.litertlm')), undefined, { timeout: 30_000 });
    await failed(page, /No model format matched/);
    expect(await page.$$eval('#model-cached option', (o) => o.map((x) => x.textContent))).toContain('picked.litertlm (1.0 MB)');
  });
});
