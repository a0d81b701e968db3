// Reads Gemma 3 tool calls (fenced or bare JSON) out of free model text. Small models wrap calls in prose, emit several,
// forget the fence language or a closing fence, and leave trailing commas: all tolerated.
// Anything that still cannot be read becomes a `problem` the agent shows the model once.
import type { EngineReply, ToolCall, ToolSpec } from '../types.js';

const FENCE = /```[ \t]*([\w-]*)[ \t]*\r?\n([\s\S]*?)(?:```|$)/g;
const CALL_LANGS = new Set(['', 'tool_call', 'tool_code', 'json', 'function_call']);

/** Balanced `{…}` / `[…]` spans at top level of `text`, skipping brackets inside strings. */
export function jsonSpans(text: string): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  let depth = 0;
  let start = -1;
  let quote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === '"') quote = false;
    } else if (c === '"' && depth > 0) quote = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if ((c === '}' || c === ']') && depth > 0 && --depth === 0) spans.push({ start, end: i + 1 });
  }
  return spans;
}

function parseLoose(source: string): unknown {
  try {
    return JSON.parse(source);
  } catch {
    return JSON.parse(source.replace(/,\s*([}\]])/g, '$1')); // trailing commas, the commonest slip
  }
}

type Read = { calls: ToolCall[]; problems: string[] };

function readCall(value: unknown, tools: ReadonlyMap<string, ToolSpec>, out: Read): void {
  if (Array.isArray(value)) {
    for (const v of value) readCall(v, tools, out);
    return;
  }
  if (typeof value !== 'object' || value === null) {
    out.problems.push('a tool call must be a JSON object like {"name": "…", "arguments": {…}}');
    return;
  }
  const v = value as Record<string, unknown>;
  const name = v.name ?? v.tool ?? v.function;
  const args = v.arguments ?? v.parameters ?? v.args ?? {};
  if (typeof name !== 'string' || name === '') {
    out.problems.push('the tool call has no "name"');
  } else if (!tools.has(name)) {
    out.problems.push(`there is no tool named "${name}" (tools: ${[...tools.keys()].join(', ')})`);
  } else if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    out.problems.push(`"arguments" of ${name} must be a JSON object`);
  } else {
    out.calls.push({ name, arguments: args as Record<string, unknown> });
  }
}

/** One JSON source (a fence body or a bare span): its calls, or why it could not be read. */
function readSource(source: string, tools: ReadonlyMap<string, ToolSpec>, out: Read): void {
  let value: unknown;
  try {
    value = parseLoose(source.trim());
  } catch (error) {
    out.problems.push(`the tool call is not valid JSON (${(error as Error).message})`);
    return;
  }
  readCall(value, tools, out);
}

const looksLikeCall = (source: string) => /"(name|tool|function)"\s*:/.test(source);

/** Parses one model reply into plain text, tool calls, or the problems that stop it being read. */
export function parseGemma3Reply(raw: string, toolSpecs: readonly ToolSpec[]): EngineReply {
  const tools = new Map(toolSpecs.map((t) => [t.name, t]));
  const out: Read = { calls: [], problems: [] };
  let prose = raw;
  let sawCallSyntax = false;
  for (const match of raw.matchAll(FENCE)) {
    const lang = (match[1] ?? '').toLowerCase();
    const body = match[2] ?? '';
    if (!CALL_LANGS.has(lang) || (lang !== 'tool_call' && !looksLikeCall(body))) continue;
    sawCallSyntax = true;
    readSource(body, tools, out);
    prose = prose.replace(match[0], '');
  }
  if (!sawCallSyntax) {
    // No fence: a bare JSON object in the prose that names a tool is still a call.
    const spans = jsonSpans(raw).filter(({ start, end }) => looksLikeCall(raw.slice(start, end)));
    for (const { start, end } of spans) readSource(raw.slice(start, end), tools, out);
    for (const { start, end } of spans.reverse()) prose = prose.slice(0, start) + prose.slice(end);
    sawCallSyntax = spans.length > 0;
  }
  const text = prose.replace(/\n{3,}/g, '\n\n').trim();
  if (!sawCallSyntax) return { kind: 'text', text, raw };
  if (out.problems.length > 0) return { kind: 'malformed', problems: out.problems, raw };
  return { kind: 'tool_calls', calls: out.calls, text, raw };
}
