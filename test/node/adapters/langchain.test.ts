import { StructuredTool, tool } from '@langchain/core/tools';
import { ToolMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withGrantexAuthLangChain, withOfflineConsent, type LangChainAuthOptions } from '../../../src/adapters/langchain.js';
import { AuthFailedError, GrantRevokedError, OfflineExpiredError, REVOCATION_META, ScopeViolationError, TokenExpiredError, createOfflineVerifier } from '../../../src/index.js';
import { NOW, NOW_S, grantClaims, signToken } from '../../helpers/tokens.js';
import { adapterFixture } from './setup.js';

const readSensor = () =>
  tool(async ({ room }: { room: string }) => `21.5°C in ${room}`, {
    name: 'read_sensor',
    description: 'Reads the temperature in a room',
    schema: z.object({ room: z.string() }),
  });

class SendEmail extends StructuredTool {
  name = 'send_email';
  description = 'Sends an email';
  schema = z.object({ to: z.string(), body: z.string() });
  sent: string[] = [];
  async _call({ to }: { to: string; body: string }) {
    this.sent.push(to);
    return `sent to ${to}`;
  }
}

describe('LangChain adapter', () => {
  it('keeps the class, name, description and schema, and an allowed call runs and is audited', async () => {
    const { guard, log } = await adapterFixture();
    const original = readSensor();
    const guarded = withOfflineConsent(original, { guard, requiredScopes: ['sensor:read'] });
    expect(guarded).toBeInstanceOf(Object.getPrototypeOf(original).constructor);
    expect(guarded).not.toBe(original);
    expect([guarded.name, guarded.description, guarded.schema]).toEqual([original.name, original.description, original.schema]);
    expect(await guarded.invoke({ room: 'kitchen' })).toBe('21.5°C in kitchen');
    expect((await log.entries())[0]).toMatchObject({ action: 'tool:read_sensor', result: 'success', scopes: ['sensor:read'] });
  });

  it('works as an agent loop calls it: a ToolCall in, a ToolMessage out', async () => {
    const { guard } = await adapterFixture();
    const guarded = withOfflineConsent(readSensor(), { guard, requiredScopes: ['sensor:read'] });
    const message = await guarded.invoke({ name: 'read_sensor', args: { room: 'attic' }, id: 'call_1', type: 'tool_call' });
    expect(message).toBeInstanceOf(ToolMessage);
    expect(message.content).toBe('21.5°C in attic');
    expect(message.tool_call_id).toBe('call_1');
  });

  it('a refusal of a ToolCall is an error ToolMessage the model can read (code first), audited; the tool never runs', async () => {
    const { guard, log } = await adapterFixture();
    const email = new SendEmail();
    const guarded = withOfflineConsent(email, { guard, requiredScopes: ['email:send'] });
    const message = await guarded.invoke({ name: 'send_email', args: { to: 'bob@example.com', body: 'hi' }, id: 'call_7', type: 'tool_call' });
    expect(message).toBeInstanceOf(ToolMessage);
    expect([message.status, message.tool_call_id, message.name]).toEqual(['error', 'call_7', 'send_email']);
    expect(message.content).toMatch(/^SCOPE_VIOLATION: Scope violation: required \[email:send\]/);
    expect(email.sent).toEqual([]);
    expect((await log.entries()).map((e) => e.result)).toEqual(['scope_violation']);
  });

  it('throwOnDenied: true keeps throwing for a ToolCall; a tool\'s own error still throws; plain invoke(args) throws', async () => {
    const { guard } = await adapterFixture();
    const call = { name: 'send_email', args: { to: 'bob@example.com', body: 'hi' }, id: 'call_8', type: 'tool_call' as const };
    await expect(withOfflineConsent(new SendEmail(), { guard, requiredScopes: ['email:send'], throwOnDenied: true }).invoke(call)).rejects.toBeInstanceOf(ScopeViolationError);
    await expect(withOfflineConsent(new SendEmail(), { guard, requiredScopes: ['email:send'] }).invoke(call.args)).rejects.toBeInstanceOf(ScopeViolationError);
    const unplugged = new Error('sensor unplugged');
    const failing = tool(async () => { throw unplugged; }, { name: 'read_sensor', description: 'x', schema: z.object({}) });
    await expect(withOfflineConsent(failing, { guard, requiredScopes: ['sensor:read'] }).invoke({ name: 'read_sensor', args: {}, id: 'c', type: 'tool_call' })).rejects.toBe(unplugged);
  });

  it('a content_and_artifact tool answers a refused ToolCall with an error ToolMessage; an invoke-only object (no LangChain class to build one) throws', async () => {
    const { guard } = await adapterFixture();
    const pair = tool(async () => ['content', { raw: 1 }], { name: 'read_raw', description: 'x', schema: z.object({}), responseFormat: 'content_and_artifact' });
    const refused = await withOfflineConsent(pair, { guard, requiredScopes: ['email:send'] }).invoke({ name: 'read_raw', args: {}, id: 'c1', type: 'tool_call' });
    expect(refused).toBeInstanceOf(ToolMessage);
    expect([refused.status, refused.tool_call_id]).toEqual(['error', 'c1']);
    const invokeOnly = { name: 'legacy', invoke: async (_call: unknown) => 'ran' };
    await expect(withOfflineConsent(invokeOnly, { guard, requiredScopes: ['email:send'] }).invoke({ type: 'tool_call', id: 'c2', name: 'legacy', args: {} } as never)).rejects.toBeInstanceOf(ScopeViolationError);
  });

  it('a StructuredTool subclass: a missing scope never runs the tool and is audited as scope_violation', async () => {
    const { guard, log } = await adapterFixture();
    const email = new SendEmail();
    const guarded = withOfflineConsent(email, { guard, requiredScopes: ['email:send'] });
    expect(guarded).toBeInstanceOf(SendEmail);
    await expect(guarded.invoke({ to: 'bob@example.com', body: 'hi' })).rejects.toBeInstanceOf(ScopeViolationError);
    expect(email.sent).toEqual([]);
    expect((await log.entries())[0]).toMatchObject({ action: 'tool:send_email', result: 'scope_violation', agentDID: 'did:key:z6MkAgent', grantId: 'grnt_test' });
  });

  it('schema validation still happens before the guard (bad input is LangChain\'s error, not audited)', async () => {
    const { guard, log } = await adapterFixture();
    const guarded = withOfflineConsent(readSensor(), { guard, requiredScopes: ['sensor:read'] });
    await expect(guarded.invoke({ room: 42 } as never)).rejects.toThrow();
    expect(await log.entries()).toEqual([]);
  });

  it('expired token (AUTH_FAILED, as upstream), expired bundle, revoked and a throwing tool (its own error, as upstream) are typed and audited', async () => {
    const expired = await adapterFixture({ claims: { exp: NOW_S - 3600 } });
    const failed = await withOfflineConsent(readSensor(), { guard: expired.guard, requiredScopes: ['sensor:read'] }).invoke({ room: 'x' }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(AuthFailedError);
    expect(failed).toMatchObject({ code: 'AUTH_FAILED', reason: 'TOKEN_EXPIRED', message: expect.stringMatching(/^Authorization failed: Token expired at /) });
    expect((failed as Error).cause).toBeInstanceOf(TokenExpiredError);
    expect((await expired.log.entries()).map((e) => [e.result, e.metadata?.error])).toEqual([['auth_failure', 'TOKEN_EXPIRED']]);

    const late = await adapterFixture();
    late.setNow(NOW + 2 * 3_600_000);
    await expect(withOfflineConsent(readSensor(), { guard: late.guard, requiredScopes: ['sensor:read'] }).invoke({ room: 'x' })).rejects.toBeInstanceOf(OfflineExpiredError);

    const revoked = await adapterFixture();
    await revoked.log.setMeta(REVOCATION_META, { bundleId: 'cb_test', revokedAt: null, reportedAt: new Date(NOW).toISOString() });
    await expect(withOfflineConsent(readSensor(), { guard: revoked.guard, requiredScopes: ['sensor:read'] }).invoke({ room: 'x' })).rejects.toBeInstanceOf(GrantRevokedError);

    const broken = await adapterFixture();
    const unplugged = new Error('sensor unplugged');
    const failing = tool(async () => { throw unplugged; }, { name: 'read_sensor', description: 'x', schema: z.object({}) });
    await expect(withOfflineConsent(failing, { guard: broken.guard, requiredScopes: ['sensor:read'] }).invoke({})).rejects.toBe(unplugged);
    expect((await broken.log.entries())[0]).toMatchObject({ result: 'execution_error' });
  });

  it('the clock moved back cannot revive an expired bundle', async () => {
    const { guard, setNow } = await adapterFixture();
    const guarded = withOfflineConsent(readSensor(), { guard, requiredScopes: ['sensor:read'] });
    setNow(NOW + 3_600_001);
    await expect(guarded.invoke({ room: 'x' })).rejects.toBeInstanceOf(OfflineExpiredError);
    setNow(NOW);
    await expect(guarded.invoke({ room: 'x' })).rejects.toBeInstanceOf(OfflineExpiredError);
  });

  it('the upstream alias with upstream option names (typed as upstream\'s LangChainAuthOptions) audits failures with the token identity (not empty ids)', async () => {
    const { bundle, log } = await adapterFixture();
    const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, now: () => NOW });
    const options: LangChainAuthOptions = { verifier, auditLog: log, requiredScopes: ['email:send'], grantToken: bundle.grantToken, clock: () => NOW };
    const guarded = withGrantexAuthLangChain(new SendEmail(), options);
    await expect(guarded.invoke({ to: 'a@b.c', body: '' })).rejects.toBeInstanceOf(ScopeViolationError);
    const ok = withGrantexAuthLangChain(readSensor(), { verifier, auditLog: log, requiredScopes: ['sensor:read'], grantToken: bundle.grantToken, bundle, clock: () => NOW });
    await ok.invoke({ room: 'hall' });
    const entries = await log.entries();
    expect(entries.map((e) => [e.result, e.agentDID, e.grantId])).toEqual([
      ['scope_violation', 'did:key:z6MkAgent', 'grnt_test'],
      ['success', 'did:key:z6MkAgent', 'grnt_test'],
    ]);
  });

  it('the upstream alias without a bundle refuses, at wrap time and typed, a token it cannot read or that has no exp', async () => {
    const { bundle, log } = await adapterFixture();
    const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, now: () => NOW });
    const wrap = (grantToken: string) => () => withGrantexAuthLangChain(readSensor(), { verifier, auditLog: log, requiredScopes: ['sensor:read'], grantToken });
    expect(wrap('not-a-jwt')).toThrow(expect.objectContaining({ code: 'INVALID_BUNDLE', message: expect.stringMatching(/cannot be decoded/) }));
    expect(wrap(await signToken(grantClaims({ exp: undefined })))).toThrow(expect.objectContaining({ code: 'INVALID_BUNDLE', message: expect.stringMatching(/no usable exp/) }));
    expect(wrap(await signToken(grantClaims({ agt: undefined })))).toThrow(expect.objectContaining({ code: 'INVALID_BUNDLE' }));
    expect(await log.entries()).toEqual([]);
  });

  it('the upstream alias without a bundle: the token\'s exp is the deadline (reported as upstream does, AUTH_FAILED for TOKEN_EXPIRED), and the clock floor holds it', async () => {
    const { bundle, log, clock, setNow } = await adapterFixture();
    const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, now: () => NOW }); // never sees the token expire
    const guarded = withGrantexAuthLangChain(readSensor(), { verifier, auditLog: log, requiredScopes: ['sensor:read'], grantToken: bundle.grantToken, clock });
    await guarded.invoke({ room: 'x' });
    setNow((NOW_S + 86_400) * 1000 + 1); // just past the test token's exp
    const expired = { code: 'AUTH_FAILED', reason: 'TOKEN_EXPIRED', message: `Authorization failed: Token expired at ${new Date((NOW_S + 86_400) * 1000).toISOString()}` };
    await expect(guarded.invoke({ room: 'x' })).rejects.toMatchObject(expired);
    setNow(NOW);
    await expect(guarded.invoke({ room: 'x' })).rejects.toMatchObject(expired);
    expect((await log.entries()).map((e) => [e.result, e.grantId, e.metadata?.error])).toEqual([
      ['success', 'grnt_test', undefined],
      ['auth_failure', 'grnt_test', 'OFFLINE_EXPIRED'],
      ['auth_failure', 'grnt_test', 'OFFLINE_EXPIRED'],
    ]);
  });
});
