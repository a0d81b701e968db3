/** The model-engine seam: one file per runtime (MediaPipe, scripted; transformers.js or WebLLM would be one more). */

/** A tool the model may call, declared to it by name, description and JSON schema. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: { type: 'object'; properties: Record<string, unknown>; required?: string[] };
}

export type ChatRole = 'user' | 'model' | 'tool';

/** One turn of the conversation; `tool` turns carry a tool's JSON result back to the model. */
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** What one generation produced, after the tool-call parser read it. */
export type EngineReply =
  | { kind: 'text'; text: string; raw: string }
  | { kind: 'tool_calls'; calls: ToolCall[]; text: string; raw: string }
  | { kind: 'malformed'; problems: string[]; raw: string };

export interface GenerateOptions {
  /** Called with the whole text so far as it streams. */
  onText?: (partial: string) => void;
  signal?: AbortSignal;
}

export interface Engine {
  /** Stable id, e.g. `scripted` or `mediapipe`. */
  readonly id: string;
  /** What the UI shows; a scripted engine never claims to be a model. */
  readonly label: string;
  generate(messages: ChatMessage[], tools: ToolSpec[], options?: GenerateOptions): Promise<EngineReply>;
  close?(): void;
}
