// The trail all four adapters write (LangChain, ADK, AI SDK, MCP) — allowed, denied, failing, expired and revoked calls, through a
// guard and through the upstream aliases without a bundle — synced to the real authority (in
// process, on PGlite): every entry passes its identity, scope, hash and signature checks.
import { FunctionTool } from '@google/adk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { generateText, stepCountIs, tool as aiTool } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { tool } from '@langchain/core/tools';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { withGrantexAuthADK } from '../../../src/adapters/adk.js';
import { guardTools } from '../../../src/adapters/ai-sdk.js';
import { guardMcpServer } from '../../../src/adapters/mcp.js';
import { withGrantexAuthLangChain, withOfflineConsent } from '../../../src/adapters/langchain.js';
import { createAgentGuard, createMemoryAuditStore, createOfflineAuditLog, createOfflineVerifier, syncAuditLog, verifyChain, type SignedAuditEntry } from '../../../src/index.js';
import { startTestAuthority, type Api } from '../authority/harness.js';

let t: Awaited<ReturnType<typeof startTestAuthority>>;
let api: Api;

beforeAll(async () => {
  t = await startTestAuthority('pglite');
  api = await t.developer();
});
afterAll(() => t?.dispose());

it('a mixed trail from all four adapters, including upstream-alias denials and a revocation, is accepted by the authority in full', async () => {
  const { agentId } = (await api.post('/v1/agents', { name: 'pi', scopes: ['sensor:read', 'email:send'] })).body;
  const bundle = (await api.post('/v1/consent-bundles', { agentId, userId: 'user_alice', scopes: ['sensor:read'], offlineTTL: '1h' })).body;
  let offset = 0;
  const clock = () => Date.now() + offset;
  const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, store: createMemoryAuditStore(), now: clock });
  const guard = createAgentGuard({ bundle, auditLog: log, clock });
  const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, now: clock });
  const upstream = { verifier, auditLog: log, grantToken: bundle.grantToken, clock };

  const read = tool(async ({ room }: { room: string }) => `21.5 in ${room}`, { name: 'read_sensor', description: 'Reads a sensor', schema: z.object({ room: z.string() }) });
  const email = tool(async () => 'sent', { name: 'send_email', description: 'Sends mail', schema: z.object({ to: z.string() }) });
  const broken = new FunctionTool({ name: 'read_meter', description: 'Reads a meter', parameters: z.object({}), execute: () => { throw new Error('meter offline'); } });
  const guarded = {
    read: withOfflineConsent(read, { guard, requiredScopes: ['sensor:read'] }),
    email: withGrantexAuthLangChain(email, { ...upstream, requiredScopes: ['email:send'] }),
    meter: withGrantexAuthADK(broken, { ...upstream, requiredScopes: ['sensor:read'] }),
  };
  const attempt = (p: Promise<unknown>) => p.then(() => 'ok', (error: { code?: string; message?: string }) => error.code ?? error.message);

  expect(await attempt(guarded.read.invoke({ room: 'kitchen' }))).toBe('ok');
  expect(await attempt(guarded.email.invoke({ to: 'bob@example.com' }))).toBe('SCOPE_VIOLATION');
  expect(await attempt(guarded.meter.runAsync({ args: {}, toolContext: undefined as never }))).toBe("Error in tool 'read_meter': meter offline"); // ADK's own wrapping, as unguarded

  // AI SDK: the real generateText loop, the SDK's MockLanguageModelV4 standing in for the model (one call, then an answer).
  const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };
  const model = new MockLanguageModelV4({
    doGenerate: async ({ prompt }) => prompt.some((m) => m.role === 'tool')
      ? { content: [{ type: 'text', text: 'done' }], finishReason: { unified: 'stop', raw: undefined }, usage, warnings: [] }
      : { content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'read_sensor', input: '{"room":"den"}' }], finishReason: { unified: 'tool-calls', raw: undefined }, usage, warnings: [] },
  });
  const aiTools = guardTools({ read_sensor: aiTool({ description: 'Reads a sensor', inputSchema: z.object({ room: z.string() }), execute: async ({ room }) => `21.5 in ${room}` }) }, { guard, scopes: { read_sensor: ['sensor:read'] } });
  expect((await generateText({ model, tools: aiTools, stopWhen: stepCountIs(3), prompt: 'den?' })).text).toBe('done');

  // MCP: a real McpServer and Client over the SDK's in-memory transport; the call is refused.
  const mcpServer = guardMcpServer(new McpServer({ name: 'pi', version: '1' }), { guard, scopes: { send_email: ['email:send'] } });
  mcpServer.registerTool('send_email', { inputSchema: { to: z.string() } }, async () => ({ content: [{ type: 'text', text: 'sent' }] }));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'agent', version: '1' });
  await mcpServer.connect(serverSide);
  await client.connect(clientSide);
  expect(await client.callTool({ name: 'send_email', arguments: { to: 'bob@example.com' } })).toMatchObject({ isError: true });
  await client.close();
  offset = 2 * 3_600_000; // past offlineExpiresAt (and the token's exp)
  expect(await attempt(guarded.read.invoke({ room: 'hall' }))).toBe('OFFLINE_EXPIRED');
  expect(await attempt(guarded.email.invoke({ to: 'bob@example.com' }))).toBe('AUTH_FAILED'); // upstream form without a bundle: the token's expiry, as upstream reports it
  offset = 0; // the device clock set back: the floor keeps it expired
  expect(await attempt(guarded.read.invoke({ room: 'hall' }))).toBe('OFFLINE_EXPIRED');

  const sync = () => syncAuditLog(log, { endpoint: 'http://authority.test', apiKey: api.apiKey!, bundleId: bundle.bundleId, fetch: (url, init) => t.authority.fetch(new Request(url, init)), checkRevocation: true });
  expect(await sync()).toMatchObject({ hasErrors: false, revocationStatus: 'valid' });

  expect((await api.post(`/v1/consent-bundles/${bundle.bundleId}/revoke`, {})).status).toBe(200);
  expect(await sync()).toMatchObject({ revocationStatus: 'revoked' });
  expect(await attempt(guarded.meter.runAsync({ args: {}, toolContext: undefined as never }))).toBe('GRANT_REVOKED');
  expect(await sync()).toMatchObject({ hasErrors: false });
  expect(await log.unsyncedCount()).toBe(0);

  const stored = (await api.get(`/v1/consent-bundles/${bundle.bundleId}/audit`)).body.entries as SignedAuditEntry[];
  expect(await verifyChain(stored, { publicKey: bundle.offlineAuditKey.publicKey })).toEqual({ valid: true, count: 9 });
  expect(stored.map((e) => [e.action, e.result, e.metadata?.error ?? null])).toEqual([
    ['tool:read_sensor', 'success', null],
    ['tool:send_email', 'scope_violation', 'SCOPE_VIOLATION'],
    ['tool:read_meter', 'execution_error', 'Error'],
    ['tool:read_sensor', 'success', null],
    ['tool:send_email', 'scope_violation', 'SCOPE_VIOLATION'],
    ['tool:read_sensor', 'auth_failure', 'OFFLINE_EXPIRED'],
    ['tool:send_email', 'auth_failure', 'OFFLINE_EXPIRED'],
    ['tool:read_sensor', 'auth_failure', 'OFFLINE_EXPIRED'],
    ['tool:read_meter', 'auth_failure', 'GRANT_REVOKED'],
  ]);
  const { agentDID, grantId } = (await api.get(`/v1/consent-bundles/${bundle.bundleId}`)).body;
  expect(new Set(stored.map((e) => `${e.agentDID} ${e.grantId}`))).toEqual(new Set([`${agentDID} ${grantId}`]));
  expect(agentDID && grantId).toBeTruthy();
});
