// Engine choice and model loading: WebGPU detection, download or pick a model into the
// OPFS cache with a progress bar, load it into MediaPipe or Transformers.js; or the scripted engine.
import { createMediaPipeEngine } from '../engine/mediapipe.js';
import { cacheModelFromFile, cacheModelFromUrl, listCachedModels, openCachedModel, type ModelProgress } from '../engine/model-cache.js';
import { createScriptedEngine } from '../engine/scripted.js';
import type { Engine } from '../engine/types.js';
import { detectWebGPU } from '../engine/webgpu.js';
import { $, describeError, h, plural, say } from './dom.js';
import { wireTransformersLoad } from './tfjs-panel.js';

export interface ModelPanel {
  engine(): Engine | null;
}

const mb = (n: number) => `${(n / 1e6).toFixed(n < 1e8 ? 1 : 0)} MB`;

/** The engine line after a reply: its label, and the reply's tokens per second where the engine counts them. */
export function readyText(engine: Engine): string {
  const stats = engine.stats?.();
  if (!stats || stats.tokens === 0) return `Engine ready: ${engine.label}`;
  const seconds = stats.ms / 1000;
  return `Engine ready: ${engine.label}. Last reply: ${plural(stats.tokens, 'token', 'tokens')} in ${seconds.toFixed(2)} s (${(stats.tokens / seconds).toFixed(1)} tokens/s)`;
}

export async function setUpModelPanel(onEngine: (engine: Engine | null) => void): Promise<ModelPanel> {
  let current: Engine | null = null;
  const gpuState = $('gpu-state'), engineState = $('engine-state');
  const mediapipe = $<HTMLInputElement>('engine-mediapipe'), scripted = $<HTMLInputElement>('engine-scripted');
  const transformers = $<HTMLInputElement>('engine-transformers');
  const progress = $<HTMLProgressElement>('model-progress');

  const use = (engine: Engine | null) => {
    current?.close?.();
    current = engine;
    say(engineState, engine ? `Engine ready: ${engine.label}` : '');
    onEngine(engine);
  };

  const gpu = await detectWebGPU();
  if (gpu.ok) {
    say(gpuState, `WebGPU available (${gpu.adapter}).`);
  } else {
    // An ordinary machine without a GPU: a fact about it, not an error.
    say(gpuState, `${gpu.reason} MediaPipe needs WebGPU; an ONNX model runs here on WASM, or use the scripted engine.`);
    mediapipe.disabled = true;
  }

  const showCached = async () => {
    try {
      const cached = await listCachedModels();
      $<HTMLSelectElement>('model-cached').replaceChildren(...(cached.length
        ? cached.map((m) => h('option', { value: m.name }, `${m.name} (${mb(m.size)})`))
        : [h('option', { value: '' }, 'none yet')]));
    } catch (error) {
      say(engineState, `Model cache unavailable: ${describeError(error)}`, true);
    }
  };

  const onProgress = ({ loaded, total }: ModelProgress) => {
    progress.hidden = false;
    if (total) progress.value = loaded / total;
    else progress.removeAttribute('value'); // unknown length: indeterminate bar
    say(engineState, `Downloading model… ${mb(loaded)}${total ? ` of ${mb(total)}` : ''}`);
  };

  const load = async (file: File) => {
    use(null);
    say(engineState, `Loading ${file.name} into MediaPipe on WebGPU…`);
    try {
      progress.hidden = false;
      progress.value = 0;
      use(await createMediaPipeEngine(file, `Gemma (${file.name}) on WebGPU`, {
        onLoadProgress: (loaded, total) => {
          progress.value = total ? loaded / total : 0;
          say(engineState, `Loading ${file.name} into MediaPipe on WebGPU… ${mb(loaded)} of ${mb(total)}`);
        },
      }));
      progress.hidden = true;
    } catch (error) {
      progress.hidden = true;
      say(engineState, `The model failed to load: ${describeError(error)}`, true);
    }
  };

  const fromSource = async (cache: () => Promise<File>) => {
    try {
      const file = await cache();
      progress.hidden = true;
      await showCached();
      await load(file);
    } catch (error) {
      progress.hidden = true;
      say(engineState, `The model failed to load: ${describeError(error)}`, true);
    }
  };

  $('model-fetch').addEventListener('click', () => {
    const url = $<HTMLInputElement>('model-url').value.trim();
    if (!url) return say(engineState, 'Enter the URL of a .task or .litertlm model first.', true);
    say(engineState, `Fetching ${url}…`);
    void fromSource(() => cacheModelFromUrl(url, onProgress));
  });
  $<HTMLInputElement>('model-file').addEventListener('change', (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    say(engineState, `Caching ${file.name}…`);
    void fromSource(() => cacheModelFromFile(file, onProgress));
  });
  $('model-use').addEventListener('click', () => {
    const name = $<HTMLSelectElement>('model-cached').value;
    if (!name) return say(engineState, 'No cached model yet: download one or pick a file.', true);
    void openCachedModel(name).then(load, (error) => say(engineState, `The model failed to load: ${describeError(error)}`, true));
  });

  wireTransformersLoad(gpu.ok, use);

  const choose = () => {
    $('model-load').hidden = !mediapipe.checked;
    $('tfjs-load').hidden = !transformers.checked;
    if (scripted.checked) use(createScriptedEngine());
    else if (transformers.checked) {
      use(null);
      say(engineState, 'Enter a model folder URL or pick a folder.');
    } else {
      use(null);
      say(engineState, 'Download a model, pick a file or load a cached one.');
      void showCached();
    }
  };
  for (const radio of [mediapipe, transformers, scripted]) radio.addEventListener('change', choose);
  (gpu.ok ? mediapipe : scripted).checked = true;
  choose();
  return { engine: () => current };
}
