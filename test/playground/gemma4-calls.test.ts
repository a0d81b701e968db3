// The Gemma 4 reply parser: native `<|tool_call>` calls, thinking dropped, cut-off calls never run.
// The first cases are token sequences re-typed from Google's Gemma 4 docs
// (https://ai.google.dev/gemma/docs/capabilities/text/function-calling-gemma4,
// https://ai.google.dev/gemma/docs/core/prompt-formatting-gemma4).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGemma4Reply, visibleGemma4 } from '../../playground/src/engine/formats/gemma4-calls.js';
import { QUOTE, encodeNative } from '../../playground/src/engine/formats/gemma4-value.js';
import type { ToolSpec } from '../../playground/src/engine/types.js';
import { createDemoTools } from '../../playground/src/tools.js';
import { expectMalformed } from './expect-malformed.js';

const weather: ToolSpec = {
  name: 'get_current_temperature',
  description: 'Gets the current temperature for a given location.',
  parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['location'] },
};
const forecast: ToolSpec = { name: 'get_forecast', description: 'Forecast.', parameters: { type: 'object', properties: {} } };
const tools = [weather, forecast, ...createDemoTools()];
const q = (s: string) => `${QUOTE}${s}${QUOTE}`;

describe("parseGemma4Reply on Google's examples", () => {
  it('reads the documented call', () => {
    const raw = `<|tool_call>call:get_current_temperature{location:${q('London')}}<tool_call|>`;
    expect(parseGemma4Reply(raw, tools)).toEqual({ kind: 'tool_calls', calls: [{ name: 'get_current_temperature', arguments: { location: 'London' } }], text: '', raw });
  });

  it('drops the thought channel before the answer', () => {
    const raw = '<|channel>thought\nThe user asks about water; H2O is the usual reading.\n<channel|>The most common interpretation of "the water formula" is H₂O.<turn|>';
    expect(parseGemma4Reply(raw, tools)).toEqual({ kind: 'text', text: 'The most common interpretation of "the water formula" is H₂O.', raw: 'The most common interpretation of "the water formula" is H₂O.' });
  });

  it('a thought, then a call with a string and a number, and the made-up response after it is ignored', () => {
    const raw = `<|channel>thought\nI should call the tool for Paris.<channel|><|tool_call>call:get_forecast{location:${q('Paris')},days:3}<tool_call|><|tool_response>response:get_forecast{sky:${q('sunny')}}<tool_response|>`;
    const reply = parseGemma4Reply(raw, tools);
    expect(reply).toMatchObject({ kind: 'tool_calls', calls: [{ name: 'get_forecast', arguments: { location: 'Paris', days: 3 } }], text: '' });
    expect(reply.raw).toBe(`<|tool_call>call:get_forecast{location:${q('Paris')},days:3}<tool_call|>`);
    expect(reply.raw).not.toContain('thought');
  });
});

describe('parseGemma4Reply', () => {
  it('reads nested objects, arrays, every number form, booleans, null and bare enum words', () => {
    const raw = `<|tool_call>call:get_forecast{where:{city:${q('Oslo')},geo:[59.91,-10.75]},days:-2,scale:1.5e3,hourly:true,units:null,unit:celsius,tags:[a,${q('b, c')}]}<tool_call|>`;
    const reply = parseGemma4Reply(raw, tools);
    expect(reply.kind === 'tool_calls' && reply.calls[0]!.arguments).toEqual({ where: { city: 'Oslo', geo: [59.91, -10.75] }, days: -2, scale: 1500, hourly: true, units: null, unit: 'celsius', tags: ['a', 'b, c'] });
  });

  it('a string may hold commas, braces, colons, quotes, newlines and call-closing text', () => {
    const body = 'Hi Sam,\n"late" again: {sorry} ] <tool_call|> <|tool_call>call:x{} <turn|> <|tool_response>';
    const raw = `<|tool_call>call:email.send{to:${q('sam@example.com')},subject:${q('Late')},body:${q(body)}}<tool_call|>`;
    const reply = parseGemma4Reply(raw, tools);
    expect(reply.kind === 'tool_calls' && reply.calls).toEqual([{ name: 'email.send', arguments: { to: 'sam@example.com', subject: 'Late', body } }]);
  });

  it('reads several calls in one turn, and keeps the prose around them as text', () => {
    const raw = `Let me check both.\n<|tool_call>call:sensor.read{room:kitchen}<tool_call|><|tool_call>call:calendar.read{day:${q('today')}}<tool_call|>\nOne moment.`;
    const reply = parseGemma4Reply(raw, tools);
    expect(reply).toMatchObject({ kind: 'tool_calls', calls: [{ name: 'sensor.read', arguments: { room: 'kitchen' } }, { name: 'calendar.read', arguments: { day: 'today' } }] });
    expect(reply.kind === 'tool_calls' && reply.text).toBe('Let me check both.\n\nOne moment.');
  });

  it('a call cut off mid-stream is malformed, never run, wherever the cut falls', () => {
    const whole = `<|tool_call>call:thermostat.set{room:${q('bedroom')},celsius:19}<tool_call|>`;
    const closeAt = whole.lastIndexOf('}');
    for (let cut = '<|tool_call>'.length; cut < closeAt; cut++) {
      const reply = parseGemma4Reply(`Setting it. ${whole.slice(0, cut)}`, tools);
      expect(reply.kind, whole.slice(0, cut)).toBe('malformed');
      expect(reply.kind === 'malformed' && reply.problems.join(' '), whole.slice(0, cut)).toMatch(/cut off/);
    }
    expect(parseGemma4Reply(whole.slice(0, closeAt + 1), tools).kind).toBe('tool_calls'); // all the arguments arrived
  });

  it('one bad call among good ones makes the whole reply malformed (no partial execution)', () => {
    const good = '<|tool_call>call:sensor.read{room:kitchen}<tool_call|>';
    const cases: Array<[string, RegExp]> = [
      [`${good}<|tool_call>call:door.unlock{}<tool_call|>`, /no tool named "door.unlock"/],
      [`${good}<|tool_call>call:sensor.read{room kitchen}<tool_call|>`, /could not be read/],
      [`${good}<|tool_call>call:sensor.read(room="kitchen")<tool_call|>`, /call:name\{key:value/],
      [`${good}<|tool_call>call:sensor.read{room:${q('kitch')}`, /cut off/],
    ];
    expectMalformed(parseGemma4Reply, tools, cases);
  });

  it('unknown trailing text and stray control tokens stay out of the arguments', () => {
    const raw = '<|tool_call>call:sensor.read{room:office}<tool_call|> <|think|>and some trailing words <unused7|>';
    const reply = parseGemma4Reply(raw, tools);
    expect(reply).toMatchObject({ kind: 'tool_calls', calls: [{ name: 'sensor.read', arguments: { room: 'office' } }], text: 'and some trailing words' });
  });

  it('drops every kind of thinking, closed or not, and never reads a call out of a thought', () => {
    const planned = '<|tool_call>call:email.send{to:x@y.z,subject:s,body:b}<tool_call|>';
    expect(parseGemma4Reply(`<|channel>thought\nmaybe ${planned}?<channel|>No email needed.`, tools)).toEqual({ kind: 'text', text: 'No email needed.', raw: 'No email needed.' });
    expect(parseGemma4Reply(`<|think>${planned}<think|>Fine.`, tools)).toMatchObject({ kind: 'text', text: 'Fine.' });
    expect(parseGemma4Reply(`Sure.<|channel>thought\nstill thinking ${planned}`, tools)).toEqual({ kind: 'text', text: 'Sure.', raw: 'Sure.' });
  });

  it('the turn ends at <turn|>; what follows is not read', () => {
    const raw = 'Done.<turn|>\n<|turn>user\n<|tool_call>call:sensor.read{room:kitchen}<tool_call|>';
    expect(parseGemma4Reply(raw, tools)).toEqual({ kind: 'text', text: 'Done.', raw: 'Done.' });
  });

  it('a runtime that dropped the call tokens still yields the call (call:name{…})', () => {
    expect(parseGemma4Reply('call:sensor.read{room:bedroom}', tools)).toMatchObject({ kind: 'tool_calls', calls: [{ name: 'sensor.read', arguments: { room: 'bedroom' } }] });
    expect(parseGemma4Reply('You can recall: nothing here.', tools).kind).toBe('text');
  });

  it('plain text stays text', () => {
    expect(parseGemma4Reply('The kitchen is 20.6 °C.', tools)).toEqual({ kind: 'text', text: 'The kitchen is 20.6 °C.', raw: 'The kitchen is 20.6 °C.' });
  });

  it('any arguments object encoded natively comes back as the call (property)', () => {
    const key = fc.string({ minLength: 1, maxLength: 8 });
    const leaf = fc.oneof(fc.string().filter((s) => !s.includes(QUOTE)), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
    const args = fc.dictionary(key.filter((k) => !k.includes(QUOTE)), fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(fc.string().filter((k) => !k.includes(QUOTE)), leaf, { maxKeys: 3 })));
    fc.assert(fc.property(args, fc.string().filter((s) => !s.includes('<') && !/\bcall:/.test(s)), (a, prose) => {
      const reply = parseGemma4Reply(`${prose}<|tool_call>call:get_forecast${encodeNative(a)}<tool_call|>`, tools);
      expect(reply.kind).toBe('tool_calls');
      if (reply.kind === 'tool_calls') expect(reply.calls).toEqual([{ name: 'get_forecast', arguments: a }]);
    }), { numRuns: 300 });
  });
});

describe('visibleGemma4', () => {
  it('hides thinking while it streams, and whatever follows the end of the turn', () => {
    expect(visibleGemma4('<|channel>thought\nhalf a tho')).toBe('');
    expect(visibleGemma4('<|channel>thought\nx<channel|>The answer')).toBe('The answer');
    expect(visibleGemma4('Done.<turn|>\n<|turn>user')).toBe('Done.');
  });
});
