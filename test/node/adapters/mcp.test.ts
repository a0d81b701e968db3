// Model Context Protocol: a real McpServer and a real MCP Client from @modelcontextprotocol/sdk,
// linked by the SDK's in-memory transport (and, in mcp-stdio.test.ts, by stdio to a child
// process). Every tools/call goes through the SDK's own request handling and validation.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { guardMcpServer, type GuardMcpServerOptions } from '../../../src/adapters/mcp.js';
import { REVOCATION_META } from '../../../src/index.js';
import { NOW, NOW_S } from '../../helpers/tokens.js';
import { adapterFixture } from './setup.js';

const scopes = { read_sensor: ['sensor:read'], send_email: ['email:send'], set_heat: ['thermostat:write'] };
type Text = { content: { type: string; text: string }[]; isError?: boolean; _meta?: Record<string, unknown> };

function sensorServer(onRead: (room: string) => unknown = (room) => ({ content: [{ type: 'text', text: `21.5 in ${room}` }] })) {
  const server = new McpServer({ name: 'pi-tools', version: '1.0.0' });
  server.registerTool('read_sensor', { description: 'Reads a room sensor', inputSchema: { room: z.string() } }, async ({ room }) => onRead(room) as never);
  return server;
}

async function connect(server: McpServer) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'agent', version: '1.0.0' });
  await server.connect(serverSide);
  await client.connect(clientSide);
  const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as Text;
  return { client, call, close: () => client.close() };
}

const trail = async (log: { entries(): Promise<{ action: string; result: string; metadata?: Record<string, unknown> }[]> }) =>
  (await log.entries()).map((e) => [e.action, e.result, e.metadata?.error ?? null]);

describe('MCP adapter (real McpServer and Client over the SDK\'s in-memory transport)', () => {
  it('guards tools registered before and after the call; an allowed call runs and is audited', async () => {
    const { guard, log } = await adapterFixture();
    const server = guardMcpServer(sensorServer(), { guard, scopes });
    let heat = 0;
    server.registerTool('set_heat', { description: 'Sets the heating', inputSchema: { celsius: z.number() } }, async ({ celsius }) => ({ content: [{ type: 'text', text: `set to ${(heat = celsius)}` }] }));
    const mcp = await connect(server);
    expect(await mcp.call('read_sensor', { room: 'kitchen' })).toMatchObject({ content: [{ type: 'text', text: '21.5 in kitchen' }] });
    expect(await mcp.call('set_heat', { celsius: 20 })).toMatchObject({ content: [{ text: 'set to 20' }] });
    expect(heat).toBe(20);
    expect(await trail(log)).toEqual([['tool:read_sensor', 'success', null], ['tool:set_heat', 'success', null]]);
    await mcp.close();
  });

  it('a refusal is an isError CallToolResult with the code first in its text; the tool never runs', async () => {
    const { guard, log } = await adapterFixture();
    let sent = 0;
    const server = guardMcpServer(sensorServer(), { guard, scopes });
    server.registerTool('send_email', { description: 'Sends mail', inputSchema: { to: z.string() } }, async () => ({ content: [{ type: 'text', text: `sent ${++sent}` }] }));
    const mcp = await connect(server);
    const refused = await mcp.call('send_email', { to: 'bob@example.com' });
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toMatch(/^SCOPE_VIOLATION: Scope violation: required \[email:send\]/);
    expect(refused._meta).toEqual({ 'offline-consent/refusal': { code: 'SCOPE_VIOLATION' } });
    expect(sent).toBe(0);
    expect(await trail(log)).toEqual([['tool:send_email', 'scope_violation', 'SCOPE_VIOLATION']]);
    await mcp.close();
  });

  it.each([
    ['expired token', { claims: { exp: NOW_S - 3600 } }, 0, 'TOKEN_EXPIRED'],
    ['expired bundle', {}, NOW + 2 * 3_600_000, 'OFFLINE_EXPIRED'],
  ])('%s: refused with its code, tool not run, audited as auth_failure', async (_name, bundle, at, code) => {
    const fixture = await adapterFixture(bundle);
    if (at) fixture.setNow(at);
    let ran = false;
    const mcp = await connect(guardMcpServer(sensorServer(() => (ran = true)), { guard: fixture.guard, scopes }));
    const refused = await mcp.call('read_sensor', { room: 'x' });
    expect([refused.isError, refused.content[0]!.text.split(':')[0], ran]).toEqual([true, code, false]);
    expect(await trail(fixture.log)).toEqual([['tool:read_sensor', 'auth_failure', code]]);
    await mcp.close();
  });

  it('revoked is GRANT_REVOKED; the clock moved back does not reopen an expired bundle', async () => {
    const revoked = await adapterFixture();
    await revoked.log.setMeta(REVOCATION_META, { bundleId: 'cb_test', revokedAt: null, reportedAt: new Date(NOW).toISOString() });
    const r = await connect(guardMcpServer(sensorServer(), { guard: revoked.guard, scopes }));
    expect((await r.call('read_sensor', { room: 'x' })).content[0]!.text).toMatch(/^GRANT_REVOKED: /);
    await r.close();

    const late = await adapterFixture();
    const mcp = await connect(guardMcpServer(sensorServer(), { guard: late.guard, scopes }));
    late.setNow(NOW + 3_600_001);
    await mcp.call('read_sensor', { room: 'x' });
    late.setNow(NOW);
    expect((await mcp.call('read_sensor', { room: 'x' })).content[0]!.text).toMatch(/^OFFLINE_EXPIRED: /);
    expect((await trail(late.log)).map((e) => e[2])).toEqual(['OFFLINE_EXPIRED', 'OFFLINE_EXPIRED']);
    await mcp.close();
  });

  it('a tool that throws, and a tool that returns isError itself: the SDK\'s usual result, audited as execution_error', async () => {
    const { guard, log } = await adapterFixture();
    const server = guardMcpServer(sensorServer(() => { throw new RangeError('sensor unplugged'); }), { guard, scopes });
    server.registerTool('set_heat', { description: 'Sets the heating', inputSchema: { celsius: z.number() } }, async () => ({ content: [{ type: 'text', text: 'boiler offline' }], isError: true }));
    const mcp = await connect(server);
    expect(await mcp.call('read_sensor', { room: 'x' })).toMatchObject({ isError: true, content: [{ text: 'sensor unplugged' }] });
    expect(await mcp.call('set_heat', { celsius: 20 })).toEqual({ content: [{ type: 'text', text: 'boiler offline' }], isError: true });
    expect(await trail(log)).toEqual([['tool:read_sensor', 'execution_error', 'RangeError'], ['tool:set_heat', 'execution_error', 'ToolReportedError']]);
    await mcp.close();
  });

  it('arguments the SDK rejects never reach the guard (not audited)', async () => {
    const { guard, log } = await adapterFixture();
    const mcp = await connect(guardMcpServer(sensorServer(), { guard, scopes }));
    const bad = await mcp.call('read_sensor', { room: 42 });
    expect(bad.isError).toBe(true);
    expect(bad.content[0]!.text).toMatch(/Input validation error/);
    expect(await log.entries()).toEqual([]);
    await mcp.close();
  });

  it('fails closed: an unmapped tool is refused when guarded or registered, and is never listed', async () => {
    const { guard, log } = await adapterFixture();
    const unmapped = { read_sensor: ['sensor:read'] } satisfies GuardMcpServerOptions['scopes'];
    const early = sensorServer();
    early.registerTool('wipe_disk', { description: 'Wipes the disk' }, async () => ({ content: [] }));
    expect(() => guardMcpServer(early, { guard, scopes: unmapped })).toThrow(expect.objectContaining({ code: 'INVALID_TOOL', message: expect.stringMatching(/"wipe_disk" has no scope mapping/) }));

    const server = guardMcpServer(sensorServer(), { guard, scopes: unmapped });
    expect(() => server.registerTool('wipe_disk', { description: 'Wipes the disk' }, async () => ({ content: [] }))).toThrow(expect.objectContaining({ code: 'INVALID_TOOL' }));
    expect(() => server.tool('wipe_disk', async () => ({ content: [] }))).toThrow(expect.objectContaining({ code: 'INVALID_TOOL' }));
    const mcp = await connect(server);
    expect((await mcp.client.listTools()).tools.map((t) => t.name)).toEqual(['read_sensor']);
    expect(() => guardMcpServer({ registerTool() {} } as never, { guard, scopes })).toThrow(expect.objectContaining({ code: 'INVALID_TOOL', message: expect.stringMatching(/Not an McpServer/) }));
    expect(await log.entries()).toEqual([]);
    await mcp.close();
  });

  it('the older server.tool() and a later update({ callback }) stay guarded; a rename to an unmapped name is refused', async () => {
    const { guard, log } = await adapterFixture();
    const server = guardMcpServer(new McpServer({ name: 't', version: '1' }), { guard, scopes });
    const email = server.tool('send_email', { to: z.string() }, async () => ({ content: [{ type: 'text', text: 'sent' }] }));
    const read = server.registerTool('read_sensor', { inputSchema: { room: z.string() } }, async () => ({ content: [{ type: 'text', text: 'v1' }] }));
    read.update({ callback: async () => ({ content: [{ type: 'text', text: 'v2' }] }) });
    expect(() => read.update({ name: 'read_anything' })).toThrow(expect.objectContaining({ code: 'INVALID_TOOL' }));
    const mcp = await connect(server);
    expect((await mcp.call('send_email', { to: 'x' })).content[0]!.text).toMatch(/^SCOPE_VIOLATION/);
    expect((await mcp.call('read_sensor', { room: 'x' })).content[0]!.text).toBe('v2');
    email.update({ name: 'set_heat' }); // now needs thermostat:write, which the grant holds
    expect((await mcp.call('set_heat', { to: 'x' })).content[0]!.text).toBe('sent');
    expect(await trail(log)).toEqual([['tool:send_email', 'scope_violation', 'SCOPE_VIOLATION'], ['tool:read_sensor', 'success', null], ['tool:set_heat', 'success', null]]);
    await mcp.close();
  });

  it('hideUncovered: tools/list shows only what the grant covers; a hidden tool called anyway is refused and audited', async () => {
    const { guard, log, bundle } = await adapterFixture();
    const server = guardMcpServer(sensorServer(), { guard, scopes, hideUncovered: bundle });
    server.registerTool('send_email', { description: 'Sends mail', inputSchema: { to: z.string() } }, async () => ({ content: [{ type: 'text', text: 'sent' }] }));
    server.registerTool('set_heat', { description: 'Sets the heating', inputSchema: { celsius: z.number() } }, async () => ({ content: [{ type: 'text', text: 'ok' }] }));
    const mcp = await connect(server);
    expect((await mcp.client.listTools()).tools.map((t) => t.name)).toEqual(['read_sensor', 'set_heat']);
    expect((await mcp.call('send_email', { to: 'x' })).content[0]!.text).toMatch(/^SCOPE_VIOLATION/);
    expect(await trail(log)).toEqual([['tool:send_email', 'scope_violation', 'SCOPE_VIOLATION']]);
    await mcp.close();
  });
});
