// Vercel AI SDK: guarded tools inside the SDK's real multi-step tool loop (`generateText`,
// `streamText`). The model is the SDK's own MockLanguageModelV4 from `ai/test`, scripted to
// ask for tool calls and then to answer with what it read — a stand-in for the model only;
// input parsing, tool execution, error parts and the loop are the SDK's own.
import { generateText, stepCountIs, streamText, tool, type ToolSet } from 'ai';
import { MockLanguageModelV4, convertArrayToReadableStream } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { guardTools } from '../../../src/adapters/ai-sdk.js';
import { GrantRevokedError, OfflineExpiredError, REVOCATION_META, ScopeViolationError } from '../../../src/index.js';
import { NOW, NOW_S } from '../../helpers/tokens.js';
import { adapterFixture } from './setup.js';

type Call = { toolName: string; input: Record<string, unknown> };
const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };

/** What the scripted model read back: each tool result's output, in prompt order. */
function toolOutputs(prompt: unknown): unknown[] {
  return (prompt as { role: string; content: { type: string; output?: unknown }[] }[])
    .filter((m) => m.role === 'tool')
    .flatMap((m) => m.content.filter((p) => p.type === 'tool-result').map((p) => p.output));
}

/** Step 1: the given tool calls; step 2: a text answer quoting every tool output it was given. */
function scriptedModel(calls: Call[]) {
  const model = new MockLanguageModelV4({
    doGenerate: async ({ prompt }) => {
      const outputs = toolOutputs(prompt);
      if (outputs.length === 0) {
        return { content: calls.map((c, i) => ({ type: 'tool-call' as const, toolCallId: `call_${i + 1}`, toolName: c.toolName, input: JSON.stringify(c.input) })), finishReason: { unified: 'tool-calls' as const, raw: undefined }, usage, warnings: [] };
      }
      return { content: [{ type: 'text' as const, text: `I read: ${JSON.stringify(outputs)}` }], finishReason: { unified: 'stop' as const, raw: undefined }, usage, warnings: [] };
    },
    doStream: async ({ prompt }) => {
      const outputs = toolOutputs(prompt);
      const parts = outputs.length === 0
        ? calls.map((c, i) => ({ type: 'tool-call' as const, toolCallId: `call_${i + 1}`, toolName: c.toolName, input: JSON.stringify(c.input) }))
        : [{ type: 'text-start' as const, id: 't' }, { type: 'text-delta' as const, id: 't', delta: `I read: ${JSON.stringify(outputs)}` }, { type: 'text-end' as const, id: 't' }];
      return { stream: convertArrayToReadableStream([...parts, { type: 'finish' as const, finishReason: { unified: outputs.length === 0 ? 'tool-calls' as const : 'stop' as const, raw: undefined }, usage }]) };
    },
  });
  return model;
}

const sensorTools = (onRun: (room: string) => unknown = (room) => ({ room, celsius: 21.5 })) => ({
  read_sensor: tool({ description: 'Reads a room sensor', inputSchema: z.object({ room: z.string() }), execute: async ({ room }) => onRun(room) }),
  send_email: tool({ description: 'Sends an email', inputSchema: z.object({ to: z.string() }), execute: async ({ to }) => `sent to ${to}` }),
});
const scopes = { read_sensor: ['sensor:read'], send_email: ['email:send'] };

const run = (tools: ToolSet, calls: Call[]) => generateText({ model: scriptedModel(calls), tools, stopWhen: stepCountIs(4), prompt: 'go' });
const trail = async (log: { entries(): Promise<{ action: string; result: string; metadata?: Record<string, unknown> }[]> }) =>
  (await log.entries()).map((e) => [e.action, e.result, e.metadata?.error ?? null, e.metadata?.toolCallId ?? null]);

describe('AI SDK adapter (scripted MockLanguageModelV4 stand-in for the model; real generateText/streamText loop)', () => {
  it('an allowed call runs inside the loop, the model reads its output, the trail records it with the call id', async () => {
    const { guard, log } = await adapterFixture();
    const result = await run(guardTools(sensorTools(), { guard, scopes }), [{ toolName: 'read_sensor', input: { room: 'kitchen' } }]);
    expect(result.text).toBe('I read: [{"type":"json","value":{"room":"kitchen","celsius":21.5}}]');
    expect(result.steps).toHaveLength(2);
    expect(await trail(log)).toEqual([['tool:read_sensor', 'success', null, 'call_1']]);
  });

  it('a refused call never runs; the model gets the SDK\'s error part naming the scope and answers about it; the loop goes on', async () => {
    const { guard, log } = await adapterFixture();
    let sent = 0;
    const tools = { ...sensorTools(), send_email: tool({ description: 'Sends an email', inputSchema: z.object({ to: z.string() }), execute: async () => ++sent }) };
    const result = await run(guardTools(tools, { guard, scopes }), [{ toolName: 'send_email', input: { to: 'bob@example.com' } }]);
    expect(sent).toBe(0);
    const errors = result.steps[0]!.content.filter((p) => p.type === 'tool-error');
    expect(errors).toHaveLength(1);
    expect((errors[0] as { error: unknown }).error).toBeInstanceOf(ScopeViolationError);
    expect(result.text).toMatch(/^I read: \[\{"type":"error-text","value":"ScopeViolationError: Scope violation: required \[email:send\]/);
    expect(result.steps).toHaveLength(2);
    expect(await trail(log)).toEqual([['tool:send_email', 'scope_violation', 'SCOPE_VIOLATION', 'call_1']]);
  });

  it('a tool that throws: its own error reaches the model as the SDK reports any tool error and the trail says execution_error', async () => {
    const { guard, log } = await adapterFixture();
    const result = await run(guardTools(sensorTools(() => { throw new RangeError('sensor unplugged'); }), { guard, scopes }), [{ toolName: 'read_sensor', input: { room: 'x' } }]);
    const error = (result.steps[0]!.content.find((p) => p.type === 'tool-error') as { error: unknown }).error;
    expect(error).toBeInstanceOf(RangeError);
    expect(result.text).toBe('I read: [{"type":"error-text","value":"RangeError: sensor unplugged"}]');
    expect(await trail(log)).toEqual([['tool:read_sensor', 'execution_error', 'RangeError', 'call_1']]);
  });

  it('parallel tool calls in one step: one chain, entries in the order the model issued them, even when the first is slowest', async () => {
    const { guard, log } = await adapterFixture();
    const delays: Record<string, number> = { attic: 40, cellar: 0, den: 15 };
    const tools = guardTools(sensorTools(async (room) => { await new Promise((r) => setTimeout(r, delays[room])); return { room }; }), { guard, scopes });
    const result = await run(tools, [...['attic', 'cellar', 'den'].map((room): Call => ({ toolName: 'read_sensor', input: { room } })), { toolName: 'send_email', input: { to: 'x' } }]);
    expect(result.steps[0]!.toolResults.map((r) => r.output)).toEqual([{ room: 'attic' }, { room: 'cellar' }, { room: 'den' }]);
    expect(await trail(log)).toEqual([
      ['tool:read_sensor', 'success', null, 'call_1'],
      ['tool:read_sensor', 'success', null, 'call_2'],
      ['tool:read_sensor', 'success', null, 'call_3'],
      ['tool:send_email', 'scope_violation', 'SCOPE_VIOLATION', 'call_4'],
    ]);
    expect((await log.verify()).valid).toBe(true);
  });

  it('concurrent: true lets one step\'s calls overlap (entries then in finishing order)', async () => {
    const { guard, log } = await adapterFixture();
    let running = 0, most = 0;
    const tools = guardTools(sensorTools(async (room) => { most = Math.max(most, ++running); await new Promise((r) => setTimeout(r, room === 'attic' ? 30 : 5)); running--; return { room }; }), { guard, scopes, concurrent: true });
    await run(tools, [{ toolName: 'read_sensor', input: { room: 'attic' } }, { toolName: 'read_sensor', input: { room: 'den' } }]);
    expect(most).toBe(2);
    expect((await trail(log)).map((e) => e[3])).toEqual(['call_2', 'call_1']);
  });

  it('streamText: the guarded tool runs in the streaming loop; a refusal is a tool-error stream part', async () => {
    const { guard, log } = await adapterFixture();
    const result = streamText({ model: scriptedModel([{ toolName: 'read_sensor', input: { room: 'hall' } }, { toolName: 'send_email', input: { to: 'bob' } }]), tools: guardTools(sensorTools(), { guard, scopes }), stopWhen: stepCountIs(4), prompt: 'go' });
    const kinds: string[] = [];
    for await (const part of result.fullStream) if (part.type === 'tool-result' || part.type === 'tool-error') kinds.push(`${part.type}:${part.toolName}`);
    expect(kinds).toEqual(['tool-result:read_sensor', 'tool-error:send_email']);
    expect(await result.text).toMatch(/^I read: \[\{"type":"json","value":\{"room":"hall","celsius":21.5\}\},\{"type":"error-text","value":"ScopeViolationError: Scope violation/);
    expect((await trail(log)).map((e) => e[1])).toEqual(['success', 'scope_violation']);
  });

  it('a streaming tool (async generator) runs to its end inside the guard, then its preliminary and final results reach the SDK', async () => {
    const { guard, log } = await adapterFixture();
    let finished = false;
    const tools = guardTools({
      read_sensor: tool({ description: 'Reads a sensor, with progress', inputSchema: z.object({ room: z.string() }), async *execute({ room }) { yield { status: 'reading' }; finished = true; yield { room, celsius: 20 }; } }),
    }, { guard, scopes: { read_sensor: ['sensor:read'] } });
    const result = await run(tools, [{ toolName: 'read_sensor', input: { room: 'hall' } }]);
    expect(finished).toBe(true);
    expect(result.steps[0]!.toolResults.map((r) => r.output)).toEqual([{ room: 'hall', celsius: 20 }]);
    expect(await trail(log)).toEqual([['tool:read_sensor', 'success', null, 'call_1']]);

    const failing = await adapterFixture();
    const broken = guardTools({ read_sensor: tool({ description: 'x', inputSchema: z.object({}), async *execute() { yield 1; throw new Error('mid-stream'); } }) }, { guard: failing.guard, scopes: { read_sensor: ['sensor:read'] } });
    const failed = await run(broken, [{ toolName: 'read_sensor', input: {} }]);
    expect(failed.text).toBe('I read: [{"type":"error-text","value":"Error: mid-stream"}]');
    expect((await trail(failing.log)).map((e) => e[1])).toEqual(['execution_error']);
  });

  it.each([
    ['expired token', { claims: { exp: NOW_S - 3600 } }, 0, 'TOKEN_EXPIRED', /Token expired at/],
    ['expired bundle', {}, NOW + 2 * 3_600_000, 'OFFLINE_EXPIRED', /offline window ended/],
  ])('%s: the tool does not run, the model reads why, audited as auth_failure', async (_name, bundle, at, code, said) => {
    const fixture = await adapterFixture(bundle);
    if (at) fixture.setNow(at);
    let ran = false;
    const result = await run(guardTools(sensorTools(() => (ran = true)), { guard: fixture.guard, scopes }), [{ toolName: 'read_sensor', input: { room: 'x' } }]);
    expect(ran).toBe(false);
    expect(result.text).toMatch(said);
    expect(await trail(fixture.log)).toEqual([['tool:read_sensor', 'auth_failure', code, 'call_1']]);
  });

  it('revoked: refused with GrantRevokedError; the clock moved back does not reopen an expired bundle', async () => {
    const revoked = await adapterFixture();
    await revoked.log.setMeta(REVOCATION_META, { bundleId: 'cb_test', revokedAt: null, reportedAt: new Date(NOW).toISOString() });
    const result = await run(guardTools(sensorTools(), { guard: revoked.guard, scopes }), [{ toolName: 'read_sensor', input: { room: 'x' } }]);
    expect((result.steps[0]!.content.find((p) => p.type === 'tool-error') as { error: unknown }).error).toBeInstanceOf(GrantRevokedError);

    const late = await adapterFixture();
    const tools = guardTools(sensorTools(), { guard: late.guard, scopes });
    late.setNow(NOW + 3_600_001);
    await run(tools, [{ toolName: 'read_sensor', input: { room: 'x' } }]);
    late.setNow(NOW);
    const again = await run(tools, [{ toolName: 'read_sensor', input: { room: 'x' } }]);
    expect((again.steps[0]!.content.find((p) => p.type === 'tool-error') as { error: unknown }).error).toBeInstanceOf(OfflineExpiredError);
    expect((await trail(late.log)).map((e) => e[2])).toEqual(['OFFLINE_EXPIRED', 'OFFLINE_EXPIRED']);
  });

  it('fails closed at wrap time: an unmapped tool, a mapping for a missing tool, and a tool without execute are INVALID_TOOL', async () => {
    const { guard, log } = await adapterFixture();
    expect(() => guardTools(sensorTools(), { guard, scopes: { read_sensor: ['sensor:read'] } as never })).toThrow(expect.objectContaining({ code: 'INVALID_TOOL', message: expect.stringMatching(/"send_email" has no scope mapping/) }));
    expect(() => guardTools(sensorTools(), { guard, scopes: { ...scopes, read_sensr: ['sensor:read'] } as never })).toThrow(expect.objectContaining({ code: 'INVALID_TOOL', message: expect.stringMatching(/read_sensr/) }));
    expect(() => guardTools({ ask_user: tool({ description: 'Asks the user', inputSchema: z.object({}) }) }, { guard, scopes: { ask_user: [] } })).toThrow(expect.objectContaining({ code: 'INVALID_TOOL', message: expect.stringMatching(/no execute/) }));
    expect(() => guardTools(sensorTools(), { guard, scopes: { read_sensor: 'sensor:read', send_email: [] } as never })).toThrow(expect.objectContaining({ code: 'INVALID_TOOL' }));
    expect(await log.entries()).toEqual([]);
  });

  it('keeps each tool\'s description and schema, and leaves the original tools unguarded', async () => {
    const { guard, log } = await adapterFixture();
    const original = sensorTools();
    const guarded = guardTools(original, { guard, scopes });
    expect(guarded.read_sensor.description).toBe(original.read_sensor.description);
    expect(guarded.read_sensor.inputSchema).toBe(original.read_sensor.inputSchema);
    await run(original, [{ toolName: 'send_email', input: { to: 'x' } }]);
    expect(await log.entries()).toEqual([]);
  });
});
