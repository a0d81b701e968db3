// Gemma on WebGPU through MediaPipe LLM Inference. The WASM runtime is served by the
// playground server from the installed @mediapipe/tasks-genai package, never a CDN, and
// the model streams from the OPFS cache into the engine.
// The prompt and the parser are the model family's (Gemma 4's native tokens, or Gemma 3's turns),
// told from the model's file name unless `family` says.
import { familyOf, formatFor } from './formats/family.js';
import type { ChatMessage, Engine, GenerateOptions, ModelFamily, ToolSpec } from './types.js';

/** How the MediaPipe engine is set up. */
export interface MediaPipeOptions {
  /** The model's prompt format (default: from the file name, see `familyOf`). */
  family?: ModelFamily;
  /** Where the WASM files are served (default `/mediapipe/wasm`). */
  wasmBase?: string;
  /** Prompt plus answer, in tokens (default 2048). */
  maxTokens?: number;
  /** Bytes of the model the engine has read so far. */
  onLoadProgress?: (loaded: number, total: number) => void;
}

/** The model as a stream the engine pulls from, reporting how much it has read. */
function readWithProgress(model: File, onProgress?: (loaded: number, total: number) => void): ReadableStreamDefaultReader<Uint8Array> {
  let loaded = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      loaded += chunk.byteLength;
      onProgress?.(loaded, model.size);
      controller.enqueue(chunk);
    },
  });
  return model.stream().pipeThrough(counter).getReader();
}

/** Loads `model` into MediaPipe LLM Inference and returns an engine that prompts it in its family's format. */
export async function createMediaPipeEngine(model: File, label: string, options: MediaPipeOptions = {}): Promise<Engine> {
  const { FilesetResolver, LlmInference } = await import('@mediapipe/tasks-genai');
  const fileset = await FilesetResolver.forGenAiTasks(new URL(options.wasmBase ?? '/mediapipe/wasm', location.href).href);
  let loading = true; // progress reports stop once the engine has answered, whatever it said
  const reader = readWithProgress(model, (loaded, total) => loading && options.onLoadProgress?.(loaded, total));
  let llm: Awaited<ReturnType<typeof LlmInference.createFromOptions>>;
  try {
    llm = await LlmInference.createFromOptions(fileset, {
      baseOptions: { modelAssetBuffer: reader },
      maxTokens: options.maxTokens ?? 2048,
      topK: 40,
      temperature: 0.2,
      randomSeed: 1,
    });
  } catch (error) {
    await reader.cancel().catch(() => {}); // MediaPipe may refuse the file before reading all of it
    throw error;
  } finally {
    loading = false;
  }
  const format = formatFor(options.family ?? familyOf(model.name));
  return {
    id: 'mediapipe',
    family: format.family,
    label,
    async generate(messages: ChatMessage[], tools: ToolSpec[], opts: GenerateOptions = {}) {
      const prompt = format.prompt(messages, tools);
      let text = '';
      const cancel = () => llm.cancelProcessing();
      opts.signal?.addEventListener('abort', cancel, { once: true });
      try {
        const raw = await llm.generateResponse(prompt, (partial: string) => {
          text += partial;
          opts.onText?.(format.visible(text));
        });
        opts.signal?.throwIfAborted();
        return format.parse(raw, tools);
      } finally {
        opts.signal?.removeEventListener('abort', cancel);
      }
    },
    close: () => llm.close(),
  };
}
