// Google ADK: the guarded FunctionTool runs inside ADK's real agent tool loop (InMemoryRunner
// + LlmAgent). The model is a scripted BaseLlm that asks for one tool call and then answers —
// a stand-in for Gemma only; the tool loop, argument validation and events are ADK's own.
import { BaseLlm, FunctionTool, InMemoryRunner, LlmAgent, isBaseTool, type Event, type LlmResponse } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withGrantexAuthADK, withOfflineConsent, type GoogleADKAuthOptions } from '../../../src/adapters/adk.js';
import { AuthFailedError, GrantRevokedError, OfflineExpiredError, REVOCATION_META, ScopeViolationError, createOfflineVerifier } from '../../../src/index.js';
import { NOW, NOW_S } from '../../helpers/tokens.js';
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

const sensorTool = (execute: (args: { room: string }) => unknown = ({ room }) => ({ celsius: 21.5, room }), requireConfirmation = false) =>
  new FunctionTool({ name: 'read_sensor', description: 'Reads the temperature in a room', parameters: z.object({ room: z.string() }), execute, requireConfirmation });

type Parts = NonNullable<Parameters<InMemoryRunner['runAsync']>[0]['newMessage']['parts']>;

async function startAgent(tool: FunctionTool<never> | FunctionTool, call: { name: string; args: Record<string, unknown> }) {
  const agent = new LlmAgent({ name: 'pi_agent', model: new ScriptedModel(call), instruction: 'Use tools.', tools: [tool] });
  const runner = new InMemoryRunner({ agent, appName: 'offline-consent-test' });
  const session = await runner.sessionService.createSession({ appName: 'offline-consent-test', userId: 'alice' });
  return async (parts: Parts = [{ text: 'temperature?' }]) => {
    const events: Event[] = [];
    for await (const event of runner.runAsync({ userId: 'alice', sessionId: session.id, newMessage: { role: 'user', parts } })) events.push(event);
    return events;
  };
}

async function runAgent(tool: FunctionTool<never> | FunctionTool, call: { name: string; args: Record<string, unknown> }) {
  return (await startAgent(tool, call))();
}

const confirmationRequest = (events: Event[]) => events.flatMap((e) => e.content?.parts ?? []).find((p) => p.functionCall?.name === 'adk_request_confirmation')?.functionCall;
const runDirect = (tool: FunctionTool, args: Record<string, unknown> = { room: 'x' }) => tool.runAsync({ args, toolContext: undefined as never });

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
    expect((await log.entries())[0]).toMatchObject({ action: 'tool:read_sensor', result: 'success' });
  });

  it('a missing scope never executes the tool and is audited; the error is typed', async () => {
    const { guard, log } = await adapterFixture();
    let ran = false;
    const guarded = withOfflineConsent(sensorTool(() => (ran = true)), { guard, requiredScopes: ['email:send'] });
    await expect(guarded.runAsync({ args: { room: 'x' }, toolContext: undefined as never })).rejects.toBeInstanceOf(ScopeViolationError);
    expect(ran).toBe(false);
    expect((await log.entries())[0]).toMatchObject({ result: 'scope_violation', agentDID: 'did:key:z6MkAgent', grantId: 'grnt_test' });
  });

  it('revoked is typed; a throwing tool gives ADK\'s own error, as unguarded; both audited', async () => {
    const revoked = await adapterFixture();
    await revoked.log.setMeta(REVOCATION_META, { bundleId: 'cb_test', revokedAt: null, reportedAt: new Date(NOW).toISOString() });
    await expect(withOfflineConsent(sensorTool(), { guard: revoked.guard, requiredScopes: ['sensor:read'] }).runAsync({ args: { room: 'x' }, toolContext: undefined as never })).rejects.toBeInstanceOf(GrantRevokedError);
    const broken = await adapterFixture();
    const failing = withOfflineConsent(sensorTool(() => { throw new Error('unplugged'); }), { guard: broken.guard, requiredScopes: ['sensor:read'] });
    await expect(failing.runAsync({ args: { room: 'x' }, toolContext: undefined as never })).rejects.toThrow(/^Error in tool 'read_sensor': unplugged$/);
    expect((await broken.log.entries())[0]).toMatchObject({ result: 'execution_error' });
  });

  it('the upstream alias takes the upstream option names, typed as upstream\'s GoogleADKAuthOptions', async () => {
    const { bundle, log } = await adapterFixture();
    const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, now: () => NOW });
    const options: GoogleADKAuthOptions = { verifier, auditLog: log, requiredScopes: ['sensor:read'], grantToken: bundle.grantToken, clock: () => NOW };
    const guarded = withGrantexAuthADK(sensorTool(), options);
    expect(responses(await runAgent(guarded, { name: 'read_sensor', args: { room: 'hall' } }))).toEqual([{ celsius: 21.5, room: 'hall' }]);
    expect((await log.entries()).map((e) => [e.result, e.agentDID, e.grantId])).toEqual([['success', 'did:key:z6MkAgent', 'grnt_test']]);
  });
  it('a call awaiting human confirmation is not audited until it runs; approved, it is checked and audited once', async () => {
    const { guard, log } = await adapterFixture();
    let runs = 0;
    const guarded = withOfflineConsent(sensorTool(({ room }) => ({ room, runs: ++runs }), true), { guard, requiredScopes: ['sensor:read'] });
    const turn = await startAgent(guarded, { name: 'read_sensor', args: { room: 'hall' } });
    const request = confirmationRequest(await turn());
    expect(request?.id).toBeTruthy();
    expect([runs, await log.entries()]).toEqual([0, []]);
    const events = await turn([{ functionResponse: { id: request!.id!, name: 'adk_request_confirmation', response: { confirmed: true } } }]);
    expect(responses(events)).toEqual([{ room: 'hall', runs: 1 }]);
    expect((await log.entries()).map((e) => e.result)).toEqual(['success']);
  });

  it('a rejected confirmation never runs the tool and writes no success', async () => {
    const { guard, log } = await adapterFixture();
    let runs = 0;
    const guarded = withOfflineConsent(sensorTool(() => ++runs, true), { guard, requiredScopes: ['sensor:read'] });
    const turn = await startAgent(guarded, { name: 'read_sensor', args: { room: 'hall' } });
    const request = confirmationRequest(await turn());
    const events = await turn([{ functionResponse: { id: request!.id!, name: 'adk_request_confirmation', response: { confirmed: false } } }]);
    expect(responses(events)).toContainEqual({ error: 'This tool call is rejected.' });
    expect([runs, await log.entries()]).toEqual([0, []]);
  });

  it('arguments ADK rejects never reach the guard (like LangChain schema errors: not audited)', async () => {
    const { guard, log } = await adapterFixture();
    const guarded = withOfflineConsent(sensorTool(), { guard, requiredScopes: ['sensor:read'] });
    const [answer] = responses(await runAgent(guarded, { name: 'read_sensor', args: { room: 42 } })) as { error: string }[];
    expect(answer?.error).toMatch(/expected string/);
    expect(await log.entries()).toEqual([]);
  });

  it('a denied call inside the agent loop does not run; the model gets the guard\'s error and the trail the denial', async () => {
    const { guard, log } = await adapterFixture();
    let ran = false;
    const guarded = withOfflineConsent(sensorTool(() => (ran = true)), { guard, requiredScopes: ['email:send'] });
    const [answer] = responses(await runAgent(guarded, { name: 'read_sensor', args: { room: 'x' } })) as { error: string }[];
    expect(answer?.error).toMatch(/email:send/);
    expect(ran).toBe(false);
    expect((await log.entries()).map((e) => [e.result, e.agentDID, e.grantId, e.metadata?.error])).toEqual([['scope_violation', 'did:key:z6MkAgent', 'grnt_test', 'SCOPE_VIOLATION']]);
  });

  it.each([
    ['expired token (AUTH_FAILED, as upstream)', { claims: { exp: NOW_S - 3600 } }, 0, AuthFailedError],
    ['expired bundle with a valid token', {}, NOW + 2 * 3_600_000, OfflineExpiredError],
  ])('%s: typed error from runAsync, audited as auth_failure, tool not run', async (_name, bundle, at, type) => {
    const fixture = await adapterFixture(bundle);
    if (at) fixture.setNow(at);
    let ran = false;
    await expect(runDirect(withOfflineConsent(sensorTool(() => (ran = true)), { guard: fixture.guard, requiredScopes: ['sensor:read'] }))).rejects.toBeInstanceOf(type);
    expect(ran).toBe(false);
    expect((await fixture.log.entries()).map((e) => [e.result, e.agentDID, e.grantId])).toEqual([['auth_failure', 'did:key:z6MkAgent', 'grnt_test']]);
  });

  it('the clock moved back after the deadline does not revive the tool', async () => {
    const { guard, setNow } = await adapterFixture();
    const guarded = withOfflineConsent(sensorTool(), { guard, requiredScopes: ['sensor:read'] });
    setNow(NOW + 3_600_001);
    await expect(runDirect(guarded)).rejects.toBeInstanceOf(OfflineExpiredError);
    setNow(NOW);
    await expect(runDirect(guarded)).rejects.toBeInstanceOf(OfflineExpiredError);
  });

  it('the upstream alias without a bundle audits a denied call with the token identity, not empty ids', async () => {
    const { bundle, log } = await adapterFixture();
    const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, now: () => NOW });
    const guarded = withGrantexAuthADK(sensorTool(), { verifier, auditLog: log, requiredScopes: ['calendar:write'], grantToken: bundle.grantToken, clock: () => NOW });
    await expect(runDirect(guarded)).rejects.toBeInstanceOf(ScopeViolationError);
    expect((await log.entries()).map((e) => [e.result, e.agentDID, e.grantId])).toEqual([['scope_violation', 'did:key:z6MkAgent', 'grnt_test']]);
  });

  it('each call gets its own outcome back: a tool error is not handed to a neighbouring or later call', async () => {
    const { guard, log } = await adapterFixture();
    const guarded = withOfflineConsent(sensorTool(async ({ room }) => { if (room === 'cellar') throw new Error('no sensor'); return { room }; }), { guard, requiredScopes: ['sensor:read'] });
    const outcomes = await Promise.allSettled(['attic', 'cellar', 'den'].map((room) => runDirect(guarded, { room })));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason.message))).toEqual([{ room: 'attic' }, "Error in tool 'read_sensor': no sensor", { room: 'den' }]);
    expect((await log.entries()).map((e) => e.result).sort()).toEqual(['execution_error', 'success', 'success']);
    const badArgs = await runDirect(guarded, { room: 42 }).catch((error: unknown) => error);
    expect(String(badArgs)).toMatch(/Error in tool 'read_sensor'.*expected string/s);
  });

  it('the original tool is left unguarded and untouched', async () => {
    const { guard, log } = await adapterFixture();
    const original = sensorTool();
    withOfflineConsent(original, { guard, requiredScopes: ['email:send'] });
    await expect(runDirect(original, { room: 'den' })).resolves.toEqual({ celsius: 21.5, room: 'den' });
    expect(await log.entries()).toEqual([]);
  });
});
