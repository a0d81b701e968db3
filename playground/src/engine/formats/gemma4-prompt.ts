// Gemma 4's prompt: turns between `<|turn>role\n` and `<turn|>`, with a real `system` role that
// holds the instructions and one `<|tool>declaration:name{description:…,parameters:{…}}<tool|>`
// per tool, written in the native value syntax
// (https://ai.google.dev/gemma/docs/core/prompt-formatting-gemma4,
// https://ai.google.dev/gemma/docs/capabilities/text/function-calling-gemma4). As in the model's
// published chat template, the schema's `type` values are upper-case (`STRING`, `OBJECT`) and a
// property's description comes first. A tool's result follows the call inside the model's own
// turn as `<|tool_response>response:name{…}<tool_response|>`, and the model goes on in that turn;
// so a prompt ending on a result ends there, not with a new `<|turn>model`.
// Thinking is not switched on (no `<|think|>`): a small on-device model answers sooner without it.
import type { ChatMessage, ToolSpec } from '../types.js';
import { MAX_TURNS, RETRY_PREFIX } from './format.js';
import { encodeNative, type NativeValue } from './gemma4-value.js';

const INSTRUCTIONS = [
  "You are a helpful assistant running on the user's device. Use the tools below when you need them.",
  'A tool response with "error" means the call was refused or failed: tell the user why, and do not call it again.',
  'When you have what you need, answer the user in one or two plain sentences.',
].join('\n');

/** The retry turn: the model already knows the call tokens, so it is only told what was wrong. */
export function gemma4RetryMessage(problems: readonly string[]): string {
  return `${RETRY_PREFIX} ${problems.join('; ')}. Call the tool again with corrected arguments, or answer in plain text.`;
}

/** A JSON schema with its `type` values upper-cased, description first and type last (the template's order). */
function nativeSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(nativeSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const entries = Object.entries(schema as Record<string, unknown>);
  const rank = (k: string) => (k === 'description' ? 0 : k === 'type' ? 2 : 1);
  const sorted = entries.sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(sorted.map(([k, v]) => {
    if (k === 'type' && typeof v === 'string') return [k, v.toUpperCase()];
    if (k === 'properties' && typeof v === 'object' && v !== null) {
      return [k, Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, s]) => [p, nativeSchema(s)]))];
    }
    return [k, nativeSchema(v)];
  }));
}

/** One tool as a declaration block. */
export function gemma4Declaration(tool: ToolSpec): string {
  return `<|tool>declaration:${tool.name}${encodeNative({ description: tool.description, parameters: nativeSchema(tool.parameters) })}<tool|>`;
}

/** A tool message (the agent's `{"name", "result"}` or `{"name", "error"}` JSON) as a response block. */
export function gemma4Response(content: string): string {
  let parsed: { name?: unknown; result?: unknown; error?: unknown } = {};
  try {
    parsed = JSON.parse(content);
  } catch {
    parsed = { result: content };
  }
  const name = typeof parsed.name === 'string' ? parsed.name : 'tool';
  const body: NativeValue = parsed.error !== undefined ? { error: parsed.error as NativeValue }
    : typeof parsed.result === 'object' && parsed.result !== null && !Array.isArray(parsed.result) ? parsed.result as NativeValue
    : { value: (parsed.result ?? null) as NativeValue };
  return `<|tool_response>response:${name}${encodeNative(body)}<tool_response|>`;
}

/** The whole prompt for one generation, ending where the model's next words go. */
export function gemma4Prompt(messages: readonly ChatMessage[], tools: readonly ToolSpec[]): string {
  let recent = messages.slice(-MAX_TURNS);
  const firstUser = recent.findIndex((m) => m.role === 'user');
  if (firstUser > 0) recent = recent.slice(firstUser); // never open on a result whose call was cut away
  let out = `<|turn>system\n${INSTRUCTIONS}\n${tools.map(gemma4Declaration).join('')}<turn|>\n`;
  let inModelTurn = false;
  let endsOnResult = false;
  for (const message of recent) {
    if (message.role === 'user') {
      if (inModelTurn) out += '<turn|>\n';
      out += `<|turn>user\n${message.content}<turn|>\n`;
      inModelTurn = false;
    } else {
      if (!inModelTurn) out += '<|turn>model\n';
      out += message.role === 'tool' ? gemma4Response(message.content) : message.content;
      inModelTurn = true;
    }
    endsOnResult = message.role === 'tool';
  }
  if (endsOnResult) return out; // the model continues its turn after the result
  return `${out}${inModelTurn ? '<turn|>\n' : ''}<|turn>model\n`;
}
