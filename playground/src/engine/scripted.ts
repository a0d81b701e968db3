// "Scripted (no model)": fixed turns chosen by keywords, for tests and machines without
// WebGPU. It writes its turns in the Gemma 3 text format a model is asked for, so the parser,
// the guard and the audit trail see exactly what they would see with the model.
import { ROOMS } from '../tools.js';
import { formatFor } from './formats/family.js';
import { RETRY_PREFIX } from './formats/format.js';
import type { ChatMessage, Engine, GenerateOptions, ToolSpec } from './types.js';

const fence = (call: unknown) => `\`\`\`tool_call\n${JSON.stringify(call)}\n\`\`\``;

function roomIn(text: string): string {
  return ROOMS.find((r) => text.includes(r)) ?? 'living room';
}

/** The scripted model's turn after a user message. */
function answerUser(text: string): string {
  const t = text.toLowerCase();
  if (t.includes('(slow)')) return `${'This is a long scripted answer, streamed slowly so that it can be stopped. '.repeat(8)}The end.`;
  if (t.includes('(malformed)')) return 'Sure.\n```tool_call\n{"name": "sensor.read", "arguments": {"room": "kitchen"\n```';
  if (/thermostat|heat|warmer|cooler/.test(t)) {
    // Every temperature named is one call ("to 19, 20, 21 and 22": four changes, in order).
    const temps = [...t.matchAll(/(\d+(?:\.\d+)?)/g)].map((m) => Number(m[1]));
    const room = roomIn(t);
    if (temps.length <= 1) return `I'll set it.\n${fence({ name: 'thermostat.set', arguments: { room, celsius: temps[0] ?? 21 } })}`;
    return `I'll set it ${temps.length} times.\n${temps.map((celsius) => fence({ name: 'thermostat.set', arguments: { room, celsius } })).join('\n')}`;
  }
  if (/temperature|sensor|humid|how (warm|cold)/.test(t)) return fence({ name: 'sensor.read', arguments: { room: roomIn(t) } });
  if (/calendar|meeting|agenda|schedule/.test(t)) return fence({ name: 'calendar.read', arguments: { day: t.includes('tomorrow') ? 'tomorrow' : 'today' } });
  if (/e-?mail|send/.test(t)) {
    const to = /[^\s@]+@[^\s@]+\.[a-z]+/.exec(t)?.[0] ?? 'sam@example.com';
    return fence({ name: 'email.send', arguments: { to, subject: 'From my assistant', body: text } });
  }
  return 'I am the scripted engine, not a model. Try: "How warm is the kitchen?", "Set the bedroom thermostat to 19", "Set the kitchen thermostat to 19, 20, 21 and 22", "What is on my calendar?" or "Email sam@example.com that I am late".';
}

/** The scripted model's turn after the results of its calls: a line per call, in order. */
function answerTools(contents: string[]): string {
  return contents.map(answerTool).join('\n');
}

/** The scripted model's line about one tool result. */
function answerTool(content: string): string {
  const result: { name?: string; result?: any; error?: { code: string; message: string } } = JSON.parse(content);
  if (result.error) return `I can't do that: ${result.error.message} (${result.error.code}).`;
  const r = result.result ?? {};
  switch (result.name) {
    case 'sensor.read': return `The ${r.room} is ${r.celsius} °C with ${r.humidity} % humidity.`;
    case 'thermostat.set': return `Done: the ${r.room} thermostat is set to ${r.celsius} °C.`;
    case 'calendar.read': return `${r.day === 'today' ? 'Today' : 'Tomorrow'}: ${(r.events ?? []).map((e: any) => `${e.time} ${e.title}`).join(', ')}.`;
    case 'email.send': return `Sent to ${r.to}.`;
    default: return 'Done.';
  }
}

/** The tool results after the model's last turn. */
function trailingTools(messages: ChatMessage[]): string[] {
  let i = messages.length;
  while (i > 0 && messages[i - 1]!.role === 'tool') i--;
  return messages.slice(i).map((m) => m.content);
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  });
}

/** The scripted engine; `chunkDelayMs` paces its streaming. */
export function createScriptedEngine({ chunkDelayMs = 12 } = {}): Engine {
  const format = formatFor('gemma3');
  return {
    id: 'scripted',
    family: format.family,
    label: 'Scripted (no model)',
    async generate(messages: ChatMessage[], tools: ToolSpec[], options: GenerateOptions = {}) {
      const last = messages[messages.length - 1];
      const raw = !last ? answerUser('')
        : last.role === 'tool' ? answerTools(trailingTools(messages))
        : last.content.startsWith(RETRY_PREFIX) ? fence({ name: 'sensor.read', arguments: { room: 'kitchen' } }) // told its call was unreadable: a clean retry
        : answerUser(last.content);
      const delay = last?.content.includes('(slow)') ? chunkDelayMs * 4 : chunkDelayMs;
      for (let i = 8; i < raw.length; i += 8) { // streamed in small pieces, like a model
        await wait(delay, options.signal);
        options.onText?.(raw.slice(0, i));
      }
      options.onText?.(raw);
      return format.parse(raw, tools);
    },
  };
}
