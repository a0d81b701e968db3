// The Transformers.js engine in real Chromium on WASM (no GPU here), with a tiny random-weight
// model of Gemma 3's architecture standing in for Gemma (test/fixtures/tiny-gemma3, made by
// scripts/make-tiny-gemma3.py; real Gemma weights cannot be downloaded on this machine).
// ONNX Runtime's WASM comes from the playground server, never a CDN; the model is served from
// `--models`, kept in OPFS, and its greedy tokens must be exactly the ones the script's NumPy
// forward pass computed (a graph, tokenizer or KV-cache mistake changes them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFor } from '../../../playground/src/engine/formats/family.js';
import { createDemoTools } from '../../../playground/src/tools.js';
import { ROOT, auditRows, openPage, press, shot, startRun, text, type PlaygroundRun } from './page.js';

const FIXTURES = join(ROOT, 'test/fixtures');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'tiny-gemma3/expected.json'), 'utf8')) as { text: string; new_ids: number[] };
const READY = 'Engine ready: Test model, random weights, not Gemma (Transformers.js on WASM)';
let run: PlaygroundRun;
let page: Page;

beforeAll(async () => {
  run = await startRun({ modelsDir: FIXTURES });
  page = run.page;
}, 120_000);

afterAll(() => run?.close());

const engineState = (page: Page, re: RegExp, timeout = 90_000) =>
  page.waitForFunction((src) => new RegExp(src).test(document.getElementById('engine-state')!.textContent ?? ''), re.source, { timeout });

describe('playground Transformers.js engine (tiny random-weight test model, WASM)', () => {
  it('the fixture prompt is what the Gemma 3 format builds for the first question (else rerun the script)', () => {
    const prompt = formatFor('gemma3').prompt([{ role: 'user', content: 'How warm is the kitchen?' }], createDemoTools());
    expect(prompt).toBe(readFileSync(join(FIXTURES, 'tiny-gemma3/prompt.txt'), 'utf8'));
  });

  it('loads the model folder from the server with ONNX Runtime WASM from the server, labelled as a test model', async () => {
    await press(page, 'provision');
    await page.check('#engine-transformers');
    expect(await page.isVisible('#tfjs-load')).toBe(true);
    await page.fill('#tfjs-url', '/models/tiny-gemma3/');
    await page.click('#tfjs-fetch');
    await engineState(page, /^Engine ready|failed to load/);
    expect(await text(page, '#engine-state')).toBe(READY);
    expect(run.offServer()).toEqual([]);
    expect(run.requested.some((u) => /\/ort\/ort-wasm-simd-threaded\.asyncify\.wasm$/.test(u))).toBe(true);
    expect(run.requested.some((u) => u.endsWith('/models/tiny-gemma3/onnx/model.onnx'))).toBe(true);
    await shot(page, 'tfjs-01-loaded');
  });

  it('Stop ends a generation mid-stream: the turn ends with nothing run or audited (Stop pressed from inside the page at the first streamed token)', async () => {
    // 20 tokens take well under a second here, too quick for a click from outside the page: an
    // observer in the page presses Stop the moment the first streamed text shows.
    await page.evaluate(() => {
      const observer = new MutationObserver(() => {
        const streaming = document.querySelector('#transcript li.model[aria-busy="true"]');
        if (!streaming?.textContent?.trim()) return;
        observer.disconnect();
        (window as unknown as { streamedAtStop: string }).streamedAtStop = streaming.textContent;
        document.getElementById('stop')!.click();
      });
      observer.observe(document.getElementById('transcript')!, { childList: true, subtree: true, characterData: true });
    });
    await page.fill('#chat-input', 'How warm is the kitchen?');
    await page.press('#chat-input', 'Enter');
    await page.waitForFunction(() => /^Stopped: the model was interrupted/.test(document.querySelector('#transcript li.note:last-child')?.textContent ?? ''), undefined, { timeout: 60_000 });
    const streamed = await page.evaluate(() => (window as unknown as { streamedAtStop: string }).streamedAtStop);
    expect(streamed.length).toBeGreaterThan(0);
    expect(expected.text.startsWith(streamed.trim()) && streamed.trim().length < expected.text.trim().length).toBe(true); // cut short
    expect(await page.isVisible('#stop')).toBe(false);
    expect(await auditRows(page)).toEqual([]);
    await shot(page, 'tfjs-03-stopped');
  });

  it('the next visit loads the model from OPFS: no model file is fetched again', async () => {
    const before = run.requested.length;
    await openPage(page, run.server.url); // a new visit: a new conversation, the bundle and the cache kept
    await page.check('#engine-transformers');
    await page.fill('#tfjs-url', '/models/tiny-gemma3/');
    await page.click('#tfjs-fetch');
    await engineState(page, /^Engine ready|failed to load/);
    expect(await text(page, '#engine-state')).toBe(READY);
    expect(run.requested.slice(before).filter((u) => u.includes('/models/'))).toEqual([]);
    const cached = await page.evaluate(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('offline-consent-transformers');
      const names: string[] = [];
      for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(decodeURIComponent(name));
      return names.map((n) => n.replace(location.origin, '')).sort();
    });
    // The model's files, and ONNX Runtime's WASM (Transformers.js keeps it there too, for offline starts).
    expect(cached).toEqual([
      '/models/tiny-gemma3/config.json', '/models/tiny-gemma3/generation_config.json', '/models/tiny-gemma3/onnx/model.onnx',
      '/models/tiny-gemma3/tokenizer.json', '/models/tiny-gemma3/tokenizer_config.json',
      '/ort/ort-wasm-simd-threaded.asyncify.mjs', '/ort/ort-wasm-simd-threaded.asyncify.wasm',
    ]);
  });

  it('generates into the transcript exactly the tokens the reference forward pass computed', async () => {
    await page.fill('#chat-input', 'How warm is the kitchen?');
    await page.press('#chat-input', 'Enter');
    await engineState(page, /Last reply|failed/); // too quick for say()'s wait on a disabled Send
    expect(await text(page, '#transcript li.model:last-child')).toBe(expected.text.trim());
    expect(await text(page, '#engine-state')).toMatch(new RegExp(`^${READY.replace(/[()]/g, '\\$&')}\\. Last reply: ${expected.new_ids.length} tokens in [\\d.]+ s \\([\\d.]+ tokens/s\\)$`));
    expect(await auditRows(page)).toEqual([]); // the reply held no tool call: nothing ran, nothing audited
    console.log(`tiny test model on WASM: ${await text(page, '#engine-state')}`);
    await shot(page, 'tfjs-02-generated');
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(360); // the folder picker fits too
    await shot(page, 'tfjs-02-generated-360');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('a picked model folder loads from OPFS with no request to the server', async () => {
    const before = run.requested.length;
    await page.setInputFiles('#tfjs-folder', join(FIXTURES, 'tiny-gemma3'));
    await engineState(page, /^Engine ready|failed to load/);
    expect(await text(page, '#engine-state')).toBe(READY);
    expect(run.requested.slice(before).filter((u) => u.includes('/models/') || u.includes('offline-consent-picked'))).toEqual([]);
  });

  it('a folder URL that is not a model says so', async () => {
    await page.fill('#tfjs-url', '/models/no-such-model/');
    await page.click('#tfjs-fetch');
    await engineState(page, /failed to load/);
    expect(await text(page, '#engine-state')).toBe('The model failed to load: /models/no-such-model/ is not a model folder: its config.json answered HTTP 404');
  });
});
