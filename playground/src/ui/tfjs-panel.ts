// The Transformers.js part of the model panel: a model folder from a URL or picked from disk,
// loaded with progress (files already in OPFS are read from there, offline).
import type { Engine } from '../engine/types.js';
import { $, describeError, say } from './dom.js';

const mb = (n: number) => `${(n / 1e6).toFixed(n < 1e8 ? 1 : 0)} MB`;

/** Wires the Transformers.js inputs; `use` receives each engine loaded (null while loading). */
export function wireTransformersLoad(webgpu: boolean, use: (engine: Engine | null) => void): void {
  const engineState = $('engine-state');
  const progress = $<HTMLProgressElement>('tfjs-progress');
  const load = async (source: { url: string } | { files: readonly File[] }, what: string) => {
    use(null);
    progress.hidden = false;
    progress.value = 0;
    say(engineState, `Loading ${what} with Transformers.js on ${webgpu ? 'WebGPU' : 'WASM'}…`);
    try {
      const { createTransformersEngine } = await import('../engine/transformers.js');
      use(await createTransformersEngine(source, {
        webgpu,
        onProgress: (loaded, total, file) => {
          if (total) progress.value = loaded / total;
          say(engineState, `Loading ${what}… ${file}: ${mb(loaded)}${total ? ` of ${mb(total)}` : ''}`);
        },
      }));
    } catch (error) {
      say(engineState, `The model failed to load: ${describeError(error)}`, true);
    } finally {
      progress.hidden = true;
    }
  };
  $('tfjs-fetch').addEventListener('click', () => {
    const url = $<HTMLInputElement>('tfjs-url').value.trim();
    if (!url) return say(engineState, 'Enter the URL of a model folder first (it holds config.json).', true);
    void load({ url }, url);
  });
  $<HTMLInputElement>('tfjs-folder').addEventListener('change', (event) => {
    const files = [...((event.target as HTMLInputElement).files ?? [])];
    if (files.length) void load({ files }, 'the picked folder');
  });
}
