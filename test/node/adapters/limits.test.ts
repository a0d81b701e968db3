// Grant limits through every adapter (issue 18): each passes the tool's arguments to the guard,
// so a bounds limit on `celsius` refuses 35 °C before the real framework's tool runs.
import { FunctionTool } from '@google/adk';
import { tool as lcTool } from '@langchain/core/tools';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { tool as aiTool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withOfflineConsent as adk } from '../../../src/adapters/adk.js';
import { guardTools } from '../../../src/adapters/ai-sdk.js';
import { withOfflineConsent as langchain } from '../../../src/adapters/langchain.js';
import { guardMcpServer } from '../../../src/adapters/mcp.js';
import { LIMITS_CLAIM, createAgentGuard, enforceLimits } from '../../../src/index.js';
import { NOW } from '../../helpers/tokens.js';
import { memoryLog, testBundle } from '../../helpers/bundle.js';

const limits = [{ scope: 'thermostat:write', kind: 'bounds', arg: 'celsius', min: 16, max: 26 }];

async function fixture() {
  const bundle = await testBundle({ claims: { [LIMITS_CLAIM]: limits } });
  const { log } = memoryLog(() => NOW);
  const guard = createAgentGuard({ bundle, auditLog: log, clock: () => NOW, limits: enforceLimits });
  const set: number[] = [];
  const results = async () => (await log.entries()).map((e) => [e.result, e.metadata?.error ?? null, (e.metadata?.limitArgs as { celsius?: number } | undefined)?.celsius ?? null]);
  return { guard, set, results };
}

const expected = [['success', null, 20], ['scope_violation', 'LIMIT_EXCEEDED', null]];

describe('limits through the adapters (real frameworks)', () => {
  it('AI SDK: guardTools passes the input (execute called directly, as the SDK calls it)', async () => {
    const { guard, set, results } = await fixture();
    const tools = guardTools({ set_heat: aiTool({ description: 'Sets the heating', inputSchema: z.object({ celsius: z.number() }), execute: async ({ celsius }) => set.push(celsius) }) }, { guard, scopes: { set_heat: ['thermostat:write'] } });
    const execute = tools.set_heat.execute!;
    await execute({ celsius: 20 }, { toolCallId: 'c1', messages: [] } as never);
    await expect(execute({ celsius: 35 }, { toolCallId: 'c2', messages: [] } as never)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(set).toEqual([20]);
    expect(await results()).toEqual(expected);
  });

  it('MCP: a real Client calls the guarded server; 35 °C comes back as an isError result', async () => {
    const { guard, set, results } = await fixture();
    const server = guardMcpServer(new McpServer({ name: 'heat', version: '1.0.0' }), { guard, scopes: { set_heat: ['thermostat:write'] } });
    server.registerTool('set_heat', { description: 'Sets the heating', inputSchema: { celsius: z.number() } }, async ({ celsius }) => ({ content: [{ type: 'text', text: String(set.push(celsius)) }] }));
    const [a, b] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'agent', version: '1.0.0' });
    await server.connect(b);
    await client.connect(a);
    await client.callTool({ name: 'set_heat', arguments: { celsius: 20 } });
    const refused = (await client.callTool({ name: 'set_heat', arguments: { celsius: 35 } })) as { isError?: boolean; content: { text: string }[] };
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toMatch(/^LIMIT_EXCEEDED: /);
    expect(set).toEqual([20]);
    expect(await results()).toEqual(expected);
    await client.close();
  });

  it('LangChain: invoke with a ToolCall reads its args; the refusal is an error ToolMessage', async () => {
    const { guard, set, results } = await fixture();
    const heat = langchain(lcTool(async ({ celsius }: { celsius: number }) => String(set.push(celsius)), { name: 'set_heat', description: 'Sets the heating', schema: z.object({ celsius: z.number() }) }), { guard, requiredScopes: ['thermostat:write'] });
    await heat.invoke({ celsius: 20 });
    const message = (await heat.invoke({ name: 'set_heat', args: { celsius: 35 }, id: 'call_2', type: 'tool_call' })) as { status?: string; content: string };
    expect(message.status).toBe('error');
    expect(message.content).toMatch(/^LIMIT_EXCEEDED: /);
    expect(set).toEqual([20]);
    expect(await results()).toEqual(expected);
  });

  it('ADK: runAsync({ args }) is checked against the limit', async () => {
    const { guard, set, results } = await fixture();
    const heat = adk(new FunctionTool({ name: 'set_heat', description: 'Sets the heating', parameters: z.object({ celsius: z.number() }), execute: async ({ celsius }) => set.push(celsius) }), { guard, requiredScopes: ['thermostat:write'] });
    await heat.runAsync({ args: { celsius: 20 }, toolContext: undefined as never });
    await expect(heat.runAsync({ args: { celsius: 35 }, toolContext: undefined as never })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(set).toEqual([20]);
    expect(await results()).toEqual(expected);
  });
});
