// The Gemma 3 format (fenced JSON calls) on the kinds of text small Gemma models really produce.
import { describe, expect, it } from 'vitest';
import { jsonSpans, parseGemma3Reply as parseModelReply } from '../../playground/src/engine/formats/gemma3-calls.js';
import { gemma3Prompt as gemmaPrompt, gemma3RetryMessage as retryMessage } from '../../playground/src/engine/formats/gemma3-prompt.js';
import { createDemoTools } from '../../playground/src/tools.js';
import { expectMalformed } from './expect-malformed.js';

const tools = createDemoTools();

describe('parseGemma3Reply', () => {
  it('reads the asked-for fenced tool_call block', () => {
    const raw = '```tool_call\n{"name": "sensor.read", "arguments": {"room": "kitchen"}}\n```';
    expect(parseModelReply(raw, tools)).toEqual({ kind: 'tool_calls', calls: [{ name: 'sensor.read', arguments: { room: 'kitchen' } }], text: '', raw });
  });

  it('keeps the prose around a call as text, and reads a ```json fence and "parameters" too', () => {
    const raw = "Sure! I'll check that for you.\n\n```json\n{\"name\": \"thermostat.set\", \"parameters\": {\"room\": \"bedroom\", \"celsius\": 19}}\n```\nLet me know if you need anything else.";
    const reply = parseModelReply(raw, tools);
    expect(reply.kind).toBe('tool_calls');
    if (reply.kind !== 'tool_calls') return;
    expect(reply.calls).toEqual([{ name: 'thermostat.set', arguments: { room: 'bedroom', celsius: 19 } }]);
    expect(reply.text).toBe("Sure! I'll check that for you.\n\nLet me know if you need anything else.");
  });

  it('reads several calls: two fences, or one array', () => {
    const two = '```tool_call\n{"name": "sensor.read", "arguments": {"room": "kitchen"}}\n```\n```tool_call\n{"name": "calendar.read", "arguments": {"day": "today"}}\n```';
    const array = '```tool_call\n[{"name": "sensor.read", "arguments": {"room": "office"}}, {"name": "calendar.read", "arguments": {"day": "tomorrow"}}]\n```';
    const a = parseModelReply(two, tools), b = parseModelReply(array, tools);
    expect(a.kind === 'tool_calls' && a.calls.map((c) => c.name)).toEqual(['sensor.read', 'calendar.read']);
    expect(b.kind === 'tool_calls' && b.calls.map((c) => c.arguments)).toEqual([{ room: 'office' }, { day: 'tomorrow' }]);
  });

  it('tolerates a missing closing fence (generation cut at max tokens) and trailing commas', () => {
    const raw = 'Checking.\n```tool_call\n{"name": "sensor.read", "arguments": {"room": "bedroom",},}\n';
    const reply = parseModelReply(raw, tools);
    expect(reply.kind === 'tool_calls' && reply.calls).toEqual([{ name: 'sensor.read', arguments: { room: 'bedroom' } }]);
  });

  it('reads a bare JSON call with no fence, even with braces inside strings', () => {
    const raw = 'I will send it now: {"name": "email.send", "arguments": {"to": "sam@example.com", "subject": "Late {again}", "body": "Running \\"late\\""}} Done.';
    const reply = parseModelReply(raw, tools);
    expect(reply.kind).toBe('tool_calls');
    if (reply.kind !== 'tool_calls') return;
    expect(reply.calls[0]!.arguments).toEqual({ to: 'sam@example.com', subject: 'Late {again}', body: 'Running "late"' });
    expect(reply.text).toBe('I will send it now:  Done.');
  });

  it('plain answers, including code fences that are not calls, stay text', () => {
    expect(parseModelReply('The kitchen is 20.6 °C.', tools)).toMatchObject({ kind: 'text', text: 'The kitchen is 20.6 °C.' });
    expect(parseModelReply('Here is JSON: ```json\n{"celsius": 20}\n```', tools).kind).toBe('text');
    expect(parseModelReply('```python\nprint("name": 1)\n```', tools).kind).toBe('text');
  });

  it('malformed JSON, unknown tools, missing names and non-object arguments are problems to tell the model', () => {
    const cases: Array<[string, RegExp]> = [
      ['```tool_call\n{"name": "sensor.read", "arguments": {"room": "kitchen"\n```', /not valid JSON/],
      ['```tool_call\n{"name": "door.unlock", "arguments": {}}\n```', /no tool named "door.unlock"/],
      ['```tool_call\n{"arguments": {"room": "kitchen"}}\n```', /no "name"/],
      ['```tool_call\n{"name": "sensor.read", "arguments": "kitchen"}\n```', /must be a JSON object/],
      ['```tool_call\n"sensor.read"\n```', /must be a JSON object like/],
    ];
    expectMalformed(parseModelReply, tools, cases);
  });

  it('one bad call among good ones makes the whole reply malformed (no partial execution)', () => {
    const raw = '```tool_call\n{"name": "sensor.read", "arguments": {"room": "kitchen"}}\n```\n```tool_call\n{"name": "nope", "arguments": {}}\n```';
    expect(parseModelReply(raw, tools).kind).toBe('malformed');
  });

  it('jsonSpans finds top-level objects and arrays only', () => {
    const text = 'a {"x": {"y": 1}} b [1, {"z": "}"}] c {unclosed';
    expect(jsonSpans(text).map(({ start, end }) => text.slice(start, end))).toEqual(['{"x": {"y": 1}}', '[1, {"z": "}"}]']);
  });
});

describe('gemma3Prompt', () => {
  it('declares the tools in the first user turn, alternates turns, and ends at the model turn', () => {
    const prompt = gemmaPrompt(
      [
        { role: 'user', content: 'How warm is the kitchen?' },
        { role: 'model', content: '```tool_call\n{"name": "sensor.read", "arguments": {"room": "kitchen"}}\n```' },
        { role: 'tool', content: '{"name":"sensor.read","result":{"celsius":20.6}}' },
        { role: 'user', content: retryMessage(['x']) },
      ],
      tools,
    );
    expect(prompt.startsWith('<start_of_turn>user\nYou are a helpful assistant')).toBe(true);
    for (const t of tools) expect(prompt).toContain(`"name": "${t.name}"`);
    expect(prompt.match(/<start_of_turn>/g)).toHaveLength(4); // user, model, user (tool result + retry merged), model
    expect(prompt).toContain('```tool_result\n{"name":"sensor.read","result":{"celsius":20.6}}\n```\n\nYour tool call could not be read: x.');
    expect(prompt.endsWith('<end_of_turn>\n<start_of_turn>model\n')).toBe(true);
  });
});
