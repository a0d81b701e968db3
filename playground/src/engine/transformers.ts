// A model in the page through Transformers.js (ONNX Runtime Web): WebGPU when an adapter
// exists, WASM otherwise. ONNX Runtime's WASM files are served by the playground server from
// the installed onnxruntime-web package (`/ort/`), never a CDN; the model's files come from a
// URL or a picked folder and are kept in OPFS (`transformers-cache.ts`) for offline visits.
// The prompt and the parser are the model family's (`formats/`), as for MediaPipe.
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { familyOf, formatFor } from './formats/family.js';
import { cachePickedFolder, opfsModelCache } from './transformers-cache.js';
import type { ChatMessage, Engine, GenerateOptions, GenerationStats, ModelFamily, ToolSpec } from './types.js';

/** Where a model comes from: a folder URL (`/models/name/`) or a picked folder's files. */
export type TransformersSource = { url: string } | { files: readonly File[] };

/** How the Transformers.js engine is set up. */
export interface TransformersOptions {
  /** `auto` (default): WebGPU when `webgpu` is true, else WASM. */
  device?: 'auto' | 'webgpu' | 'wasm';
  /** Whether a WebGPU adapter was found (the model panel asks once). */
  webgpu?: boolean;
  /** The model's prompt format (default: from its name, see `familyOf`). */
  family?: ModelFamily;
  /** The weights file to load, e.g. `q4f16` → `onnx/model_q4f16.onnx` (default: the folder's config, else 4-bit). */
  dtype?: 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';
  /** Where ONNX Runtime's WASM files are served (default `/ort/`). */
  ortBase?: string;
  /** Tokens generated at most per reply (default: the model's generation_config.json `max_new_tokens`, else 512). */
  maxNewTokens?: number;
  /** Bytes of model files fetched or read so far, across files. */
  onProgress?: (loaded: number, total: number, file: string) => void;
}

/** Where a picked folder is filed in the cache: a path no server answers, so it is only ever read from OPFS. */
const PICKED = '/offline-consent-picked/';

/** A folder URL split into Transformers.js's local model path and model id. */
export function splitModelUrl(url: string, base = location.href): { root: string; id: string } {
  const absolute = new URL(url, base);
  const path = absolute.pathname.replace(/\/+$/, '');
  const cut = path.lastIndexOf('/');
  const id = path.slice(cut + 1);
  if (!/^[\w.-]+$/.test(id)) throw new Error(`"${url}" does not name a model folder (for example /models/gemma-3-1b-it-ONNX/)`);
  const root = absolute.origin === new URL(base).origin ? path.slice(0, cut + 1) : `${absolute.origin}${path.slice(0, cut + 1)}`;
  return { root, id };
}

/** Fails with a plain sentence when the folder has no config.json, in the cache or at the server. */
async function checkFolder(configUrl: string, given: string): Promise<void> {
  if (await opfsModelCache().match(configUrl)) return;
  const response = await fetch(configUrl, { method: 'HEAD' }).catch((error: Error) => {
    throw new Error(`${given} cannot be reached (${error.message}) and is not cached in this browser`);
  });
  if (!response.ok) throw new Error(`${given} is not a model folder: its config.json answered HTTP ${response.status}`);
}

/** What the UI calls the model: a test fixture (its config says so) is never called Gemma. */
function labelFor(id: string, config: Record<string, unknown>, device: string): string {
  const runtime = `Transformers.js on ${device === 'webgpu' ? 'WebGPU' : 'WASM'}`;
  return typeof config.offline_consent_test_model === 'string' ? `Test model, random weights, not Gemma (${runtime})` : `${id} (${runtime})`;
}

/** Loads a model with Transformers.js and returns an engine that prompts it in its family's format. */
export async function createTransformersEngine(source: TransformersSource, options: TransformersOptions = {}): Promise<Engine> {
  const tf = await import('@huggingface/transformers');
  const device = options.device === 'webgpu' || (options.device !== 'wasm' && options.webgpu) ? 'webgpu' : 'wasm';
  const ort = new URL(options.ortBase ?? '/ort/', location.href).href;
  tf.env.backends.onnx.wasm!.wasmPaths = { mjs: `${ort}ort-wasm-simd-threaded.asyncify.mjs`, wasm: `${ort}ort-wasm-simd-threaded.asyncify.wasm` };
  tf.env.allowRemoteModels = false; // only the URL or folder given, never the Hugging Face Hub
  tf.env.allowLocalModels = true;
  tf.env.useBrowserCache = false;
  tf.env.useCustomCache = true;
  tf.env.customCache = opfsModelCache();

  const loaded = new Map<string, { loaded: number; total: number }>();
  const report = (file: string, bytes: number, total: number) => {
    loaded.set(file, { loaded: bytes, total });
    const sum = [...loaded.values()].reduce((s, f) => ({ loaded: s.loaded + f.loaded, total: s.total + f.total }), { loaded: 0, total: 0 });
    options.onProgress?.(sum.loaded, sum.total, file);
  };
  let id: string;
  if ('files' in source) {
    tf.env.localModelPath = PICKED;
    id = await cachePickedFolder(source.files, PICKED, (bytes, total) => report('picked folder', bytes, total));
  } else {
    const where = splitModelUrl(source.url);
    tf.env.localModelPath = where.root;
    id = where.id;
    await checkFolder(`${where.root}${id}/config.json`, source.url);
  }
  const progress_callback = (info: { status: string; file?: string; loaded?: number; total?: number }) => {
    if (info.status === 'progress' && info.file) report(info.file, info.loaded ?? 0, info.total ?? 0);
  };
  const tokenizer: PreTrainedTokenizer = await tf.AutoTokenizer.from_pretrained(id, { progress_callback });
  // The weights' precision: the folder's own choice (config.json's transformers.js_config), else
  // 4-bit, as onnx-community publishes (q4f16 for WebGPU, q4 for WASM); never a silent fp32 download.
  const declared = ((await tf.AutoConfig.from_pretrained(id)) as unknown as { 'transformers.js_config'?: { dtype?: unknown } })['transformers.js_config']?.dtype;
  const dtype = options.dtype ?? (declared === undefined ? (device === 'webgpu' ? 'q4f16' : 'q4') : undefined);
  const model: PreTrainedModel = await tf.AutoModelForCausalLM.from_pretrained(id, { device, progress_callback, ...(dtype ? { dtype } : {}) } as never);
  const config = model.config as unknown as Record<string, unknown>;
  const format = formatFor(options.family ?? familyOf(id));
  const generationConfig = (model as unknown as { generation_config?: { max_new_tokens?: unknown } }).generation_config;
  const maxNewTokens = options.maxNewTokens ?? (typeof generationConfig?.max_new_tokens === 'number' ? generationConfig.max_new_tokens : 512);
  let stats: GenerationStats | null = null;

  return {
    id: 'transformers',
    family: format.family,
    label: labelFor(id, config, device),
    stats: () => stats,
    async generate(messages: ChatMessage[], tools: ToolSpec[], opts: GenerateOptions = {}) {
      opts.signal?.throwIfAborted();
      const inputs = tokenizer(format.prompt(messages, tools)) as { input_ids: Tensor; attention_mask: Tensor };
      let text = '';
      let tokens = 0;
      const stopper = new tf.InterruptableStoppingCriteria();
      const stop = () => stopper.interrupt();
      opts.signal?.addEventListener('abort', stop, { once: true });
      const streamer = new tf.TextStreamer(tokenizer, {
        skip_prompt: true,
        skip_special_tokens: false,
        callback_function: (piece: string) => {
          text += piece;
          opts.onText?.(format.visible(text));
        },
        token_callback_function: () => {
          tokens++;
        },
      });
      const started = performance.now();
      try {
        await model.generate({ ...inputs, max_new_tokens: maxNewTokens, do_sample: false, streamer, stopping_criteria: [stopper] } as never);
      } finally {
        opts.signal?.removeEventListener('abort', stop);
        stats = { tokens, ms: performance.now() - started };
      }
      opts.signal?.throwIfAborted(); // Stop: the partial reply is never parsed, so none of its calls runs
      return format.parse(text, tools);
    },
    close() {
      void model.dispose();
    },
  };
}
