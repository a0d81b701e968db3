// Reads a Gemma 4 reply: tool calls written with its trained tokens,
// `<|tool_call>call:name{key:value,…}<tool_call|>` (several may follow each other), and the
// text around them (https://ai.google.dev/gemma/docs/capabilities/text/function-calling-gemma4,
// https://ai.google.dev/gemma/docs/core/prompt-formatting-gemma4).
//
// Thinking (`<|channel>thought … <channel|>`, or `<|think> … <think|>`) is dropped here, before
// anything else reads the reply: it never reaches a tool's arguments, the guard, the audit trail
// or the conversation history (`raw` is the reply without it), and the transcript never shows it.
// A thought the model never closed is dropped to the end of the reply.
//
// A call is only run when all of it arrived: one cut off mid-stream (max tokens, Stop) makes
// the whole reply malformed, as does one that cannot be read or names an undeclared tool.
// Text after `<turn|>` (end of turn) or after a `<|tool_response>` the model wrote itself
// (a result it made up) is not part of the reply.
import type { EngineReply, ToolCall, ToolSpec } from '../types.js';
import { readNative } from './gemma4-value.js';

const CALL_OPEN = '<|tool_call>';
const CALL_CLOSE = '<tool_call|>';
const THOUGHTS: ReadonlyArray<[string, string]> = [['<|channel>', '<channel|>'], ['<|think>', '<think|>']];
const ENDS = ['<turn|>', '<|tool_response>', '<eos>'];
/** A call whose `<|tool_call>` token the runtime dropped while detokenizing: `call:name{`. */
const BARE_CALL = /\bcall:([A-Za-z_][\w.-]*)\s*\{/g;
/** Any control token left in prose, e.g. a stray `<|think|>` or `<tool_call|>`. */
const CONTROL = /<\|[\w"]+\|?>|<[\w"]+\|>/g;

type Marker = { at: number; kind: 'call' | 'bare-call' | 'thought' | 'end'; close?: string; length: number };

/** The earliest marker at or after `from`. */
function nextMarker(raw: string, from: number): Marker | null {
  const found: Marker[] = [];
  const call = raw.indexOf(CALL_OPEN, from);
  if (call >= 0) found.push({ at: call, kind: 'call', length: CALL_OPEN.length });
  for (const [open, close] of THOUGHTS) {
    const at = raw.indexOf(open, from);
    if (at >= 0) found.push({ at, kind: 'thought', close, length: open.length });
  }
  for (const end of ENDS) {
    const at = raw.indexOf(end, from);
    if (at >= 0) found.push({ at, kind: 'end', length: end.length });
  }
  BARE_CALL.lastIndex = from;
  const bare = BARE_CALL.exec(raw);
  if (bare) found.push({ at: bare.index, kind: 'bare-call', length: 0 });
  return found.sort((a, b) => a.at - b.at)[0] ?? null;
}

type Read = { calls: ToolCall[]; problems: string[]; kept: string; prose: string; sawCall: boolean };

/** Reads one call from `start` (just after `<|tool_call>`, or at `call:`); returns where reading goes on, or null to stop. */
function readCall(raw: string, start: number, tools: ReadonlyMap<string, ToolSpec>, out: Read): number | null {
  out.sawCall = true;
  const head = /^\s*call:\s*([^{\s]*)\s*/.exec(raw.slice(start));
  const name = head?.[1] ?? '';
  const brace = start + (head?.[0].length ?? 0);
  if (!head || raw[brace] !== '{') {
    if (raw.indexOf(CALL_CLOSE, start) < 0 && !/[{]/.test(raw.slice(start))) {
      out.problems.push('the tool call was cut off before its arguments');
      return null;
    }
    out.problems.push('a tool call must look like call:name{key:value,…}');
    const close = raw.indexOf(CALL_CLOSE, start);
    return close < 0 ? null : close + CALL_CLOSE.length;
  }
  const args = readNative(raw, brace);
  if (!args.ok) {
    out.problems.push(args.incomplete ? `the tool call to ${name || '(no name)'} was cut off before it ended` : `the tool call to ${name} could not be read: ${args.message}`);
    if (args.incomplete) return null; // the rest of the reply is the unfinished call
    const close = raw.indexOf(CALL_CLOSE, args.at);
    return close < 0 ? null : close + CALL_CLOSE.length;
  }
  let end = args.end;
  const after = raw.slice(end).match(/^\s*/)![0].length;
  if (raw.startsWith(CALL_CLOSE, end + after)) end += after + CALL_CLOSE.length;
  if (!tools.has(name)) out.problems.push(`there is no tool named "${name}" (tools: ${[...tools.keys()].join(', ')})`);
  else if (typeof args.value !== 'object' || args.value === null || Array.isArray(args.value)) out.problems.push(`the arguments of ${name} must be an object`);
  else out.calls.push({ name, arguments: args.value });
  return end;
}

/** Walks the reply once, left to right: prose, thoughts (dropped), calls, and where it ends. */
function scan(raw: string, tools: ReadonlyMap<string, ToolSpec>): Read {
  const out: Read = { calls: [], problems: [], kept: '', prose: '', sawCall: false };
  let i = 0;
  for (;;) {
    const m = nextMarker(raw, i);
    const upTo = m ? m.at : raw.length;
    out.prose += raw.slice(i, upTo);
    out.kept += raw.slice(i, upTo);
    if (!m || m.kind === 'end') return out;
    if (m.kind === 'thought') {
      const close = raw.indexOf(m.close!, m.at + m.length);
      if (close < 0) return out;
      i = close + m.close!.length;
      continue;
    }
    const next = readCall(raw, m.at + m.length, tools, out);
    out.kept += raw.slice(m.at, next ?? raw.length);
    if (next === null) return out;
    i = next;
  }
}

/** Parses one Gemma 4 reply into plain text, tool calls, or the problems that stop it being read. */
export function parseGemma4Reply(raw: string, toolSpecs: readonly ToolSpec[]): EngineReply {
  const tools = new Map(toolSpecs.map((t) => [t.name, t]));
  const out = scan(raw, tools);
  const text = out.prose.replace(CONTROL, '').replace(/\n{3,}/g, '\n\n').trim();
  const kept = out.kept.trim();
  if (!out.sawCall) return { kind: 'text', text, raw: kept };
  if (out.problems.length > 0) return { kind: 'malformed', problems: out.problems, raw: kept };
  return { kind: 'tool_calls', calls: out.calls, text, raw: kept };
}

/** A streaming reply as the transcript may show it: no thinking (even unfinished), nothing after the turn ended. */
export function visibleGemma4(partial: string): string {
  let text = partial;
  for (const end of ['<turn|>', '<|tool_response>']) {
    const at = text.indexOf(end);
    if (at >= 0) text = text.slice(0, at);
  }
  for (const [open, close] of THOUGHTS) {
    for (let at = text.indexOf(open); at >= 0; at = text.indexOf(open)) {
      const stop = text.indexOf(close, at + open.length);
      text = text.slice(0, at) + (stop < 0 ? '' : text.slice(stop + close.length));
    }
  }
  return text.trimStart();
}
