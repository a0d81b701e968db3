// Google ADK: the guarded FunctionTool runs inside ADK's real agent tool loop (InMemoryRunner
// + LlmAgent). The model is a scripted BaseLlm that asks for one tool call and then answers —
// a stand-in for Gemma only; the tool loop, argument validation and events are ADK's own.
import { BaseLlm, FunctionTool, InMemoryRunner, LlmAgent, isBaseTool, type LlmResponse } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withGrantexAuthADK, withOfflineConsent } from '../../../src/adapters/adk.js';
import { GrantRevokedError, REVOCATION_META, ScopeViolationError, ToolExecutionError, createOfflineVerifier } from '../../../src/index.js';
import { NOW } from '../../helpers/tokens.js';
import { adapterFixture } from './setup.js';

class ScriptedModel extends BaseLlm {
  constructor(private readonly call: { name: string; args: Record<string, unknown> }) {
    super({ model: 'scripted' });
  }
  async *generateContentAsync(request: { contents?: { parts?: { functionResponse?: { response?: unknown } }[] }[] }): AsyncGenerator<LlmResponse, void> {
    const answered = request.contents?.some((c) => c.parts?.some((p) => p.functionResponse));
    if (!answered) yield { content: { role: 'model', parts: [{ functionCall: { id: 'call_1', ...this.call } }] } };
    else yield { content: { role: 'model', parts: [{ text: 'done' }] }, turnComplete: true };
  }
  async connect(): Promise<never> {
    throw new Error('live mode is not used in this test');
  }
}

const sensorTool = (execute: (args: { room: string }) => unknown = ({ room }) => ({ celsius: 21.5, room })) =>
  new FunctionTool({ name: 'read_sensor', description: 'Reads the temperature in a room', parameters: z.object({ room: z.string() }), execute });

async function runAgent(tool: FunctionTool<never> | FunctionTool, call: { name: string; args: Record<string, unknown> }) {
  const agent = new LlmAgent({ name: 'pi_agent', model: new ScriptedModel(call), instruction: 'Use tools.', tools: [tool] });
  const runner = new InMemoryRunner({ agent, appName: 'offline-consent-test' });
  const session = await runner.sessionService.createSession({ appName: 'offline-consent-test', userId: 'alice' });
  const events = [];
  for await (const event of runner.runAsync({ userId: 'alice', sessionId: session.id, newMessage: { role: 'user', parts: [{ text: 'temperature?' }] } })) events.push(event);
  return events;
}

const responses = (events: { content?: { parts?: { functionResponse?: { response?: unknown } }[] } }[]) =>
  events.flatMap((e) => e.content?.parts ?? []).filter((p) => p.functionResponse).map((p) => p.functionResponse!.response);

describe('Google ADK adapter', () => {
  it('is still a FunctionTool with the same declaration, and runs in the agent tool loop', async () => {
    const { guard, log } = await adapterFixture();
    const original = sensorTool();
    const guarded = withOfflineConsent(original, { guard, requiredScopes: ['sensor:read'] });
    expect(guarded).toBeInstanceOf(FunctionTool);
    expect(isBaseTool(guarded)).toBe(true);
    expect(guarded._getDeclaration()).toEqual(original._getDeclaration());
    const events = await runAgent(guarded, { name: 'read_sensor', args: { room: 'kitchen' } });
    expect(responses(events)).toEqual([{ celsius: 21.5, room: 'kitchen' }]);
    expect((await log.entries())[0]).toMatchObject({ action: 'read_sensor', result: 'success' });
  });

  it('a missing scope never executes the tool and is audited; the error is typed', async () => {
    const { guard, log } = await adapterFixture();
    let ran = false;
    const guarded = withOfflineConsent(sensorTool(() => (ran = true)), { guard, requiredScopes: ['email:send'] });
    await expect(guarded.runAsync({ args: { room: 'x' }, toolContext: undefined as never })).rejects.toBeInstanceOf(ScopeViolationError);
    expect(ran).toBe(false);
    expect((await log.entries())[0]).toMatchObject({ result: 'scope_violation', agentDID: 'did:key:z6MkAgent', grantId: 'grnt_test' });
  });

  it('revoked and a throwing tool are typed and audited', async () => {
    const revoked = await adapterFixture();
    await revoked.log.setMeta(REVOCATION_META, { bundleId: 'cb_test', revokedAt: null, reportedAt: new Date(NOW).toISOString() });
    await expect(withOfflineConsent(sensorTool(), { guard: revoked.guard, requiredScopes: ['sensor:read'] }).runAsync({ args: { room: 'x' }, toolContext: undefined as never })).rejects.toBeInstanceOf(GrantRevokedError);
    const broken = await adapterFixture();
    const failing = withOfflineConsent(sensorTool(() => { throw new Error('unplugged'); }), { guard: broken.guard, requiredScopes: ['sensor:read'] });
    await expect(failing.runAsync({ args: { room: 'x' }, toolContext: undefined as never })).rejects.toBeInstanceOf(ToolExecutionError);
    expect((await broken.log.entries())[0]).toMatchObject({ result: 'execution_error' });
  });

  it('the upstream alias takes the upstream option names', async () => {
    const { bundle, log } = await adapterFixture();
    const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, now: () => NOW });
    const guarded = withGrantexAuthADK(sensorTool(), { verifier, auditLog: log, requiredScopes: ['sensor:read'], grantToken: bundle.grantToken, clock: () => NOW });
    expect(responses(await runAgent(guarded, { name: 'read_sensor', args: { room: 'hall' } }))).toEqual([{ celsius: 21.5, room: 'hall' }]);
    expect((await log.entries()).map((e) => [e.result, e.agentDID, e.grantId])).toEqual([['success', 'did:key:z6MkAgent', 'grnt_test']]);
  });
});
