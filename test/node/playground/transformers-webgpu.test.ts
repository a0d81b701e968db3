// The Transformers.js engine on software WebGPU (SwiftShader: a real WebGPU adapter without a
// GPU), with the tiny random-weight test model (test/fixtures/tiny-gemma3): WebGPU is chosen
// when an adapter exists, and the greedy tokens are exactly the NumPy reference's, as on WASM.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SWIFTSHADER_WEBGPU, press, shot, startRun, text, type PlaygroundRun } from './page.js';

const FIXTURES = join(ROOT, 'test/fixtures');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'tiny-gemma3/expected.json'), 'utf8')) as { text: string; new_ids: number[] };
let run: PlaygroundRun;

beforeAll(async () => {
  run = await startRun({ modelsDir: FIXTURES }, SWIFTSHADER_WEBGPU);
}, 120_000);

afterAll(() => run?.close());

const engineLine = (re: RegExp) =>
  run.page.waitForFunction((src) => new RegExp(src).test(document.getElementById('engine-state')!.textContent ?? ''), re.source, { timeout: 150_000 });

describe('playground Transformers.js engine on software WebGPU (tiny random-weight test model)', () => {
  it('runs on WebGPU when an adapter exists and generates the reference tokens', { timeout: 300_000 }, async () => {
    const page = run.page;
    expect(await text(page, '#gpu-state')).toMatch(/^WebGPU available/);
    await press(page, 'provision');
    await page.check('#engine-transformers');
    await page.fill('#tfjs-url', '/models/tiny-gemma3/');
    await page.click('#tfjs-fetch');
    await engineLine(/^Engine ready|failed to load/);
    expect(await text(page, '#engine-state')).toBe('Engine ready: Test model, random weights, not Gemma (Transformers.js on WebGPU)');
    await page.fill('#chat-input', 'How warm is the kitchen?');
    await page.press('#chat-input', 'Enter');
    await engineLine(/Last reply|failed|Error/);
    expect(await text(page, '#transcript li.model:last-child')).toBe(expected.text.trim());
    expect(await text(page, '#engine-state')).toMatch(new RegExp(`Last reply: ${expected.new_ids.length} tokens in `));
    console.log(`tiny test model on SwiftShader WebGPU: ${await text(page, '#engine-state')}`);
    expect(run.offServer()).toEqual([]);
    await shot(page, 'tfjs-webgpu-generated');
  });
});
