/** The model-engine seam: one file per runtime (MediaPipe, scripted; transformers.js or WebLLM would be one more). */

/** A tool the model may call, declared to it by name, description and JSON schema. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: { type: 'object'; properties: Record<string, unknown>; required?: string[] };
}

/** Who said a turn: the user, the model, or a tool's result. */
export type ChatRole = 'user' | 'model' | 'tool';

/** One turn of the conversation; `tool` turns carry a tool's JSON result back to the model. */
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** A call the parser read out of a reply, to a declared tool, with an arguments object. */
export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/**
 * What one generation produced, after the family's parser read it. `raw` is the reply as the
 * conversation keeps it and shows it: for Gemma 4 without its thinking (see `formats/gemma4-calls.ts`).
 */
export type EngineReply =
  | { kind: 'text'; text: string; raw: string }
  | { kind: 'tool_calls'; calls: ToolCall[]; text: string; raw: string }
  | { kind: 'malformed'; problems: string[]; raw: string };

/** Streaming and cancellation for one generation. */
export interface GenerateOptions {
  /** Called with the whole text so far as it streams. */
  onText?: (partial: string) => void;
  signal?: AbortSignal;
}

/** Which prompt format a model was trained on: Gemma 4's native tokens, or Gemma 3's turns (also the fallback). */
export type ModelFamily = 'gemma4' | 'gemma3';

/** One model runtime: it builds the prompt and reads the reply with its family's format (`formats/`). */
export interface Engine {
  /** Stable id, e.g. `scripted` or `mediapipe`. */
  readonly id: string;
  /** The prompt format it speaks; absent means `gemma3`. */
  readonly family?: ModelFamily;
  /** What the UI shows; a scripted engine never claims to be a model. */
  readonly label: string;
  generate(messages: ChatMessage[], tools: ToolSpec[], options?: GenerateOptions): Promise<EngineReply>;
  /** Tokens and time of the last generation, where the runtime counts them. */
  stats?(): GenerationStats | null;
  close?(): void;
}

/** One generation's size and duration, for a tokens-per-second figure. */
export interface GenerationStats {
  tokens: number;
  ms: number;
}
