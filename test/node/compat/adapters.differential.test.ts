// Side by side: upstream's adapters and ours, each over its own package's verifier and file log,
// given the same tools and the same token. What a caller sees (the value, or the error's code and
// message), and what the trail records (action and result), must be the same; the differences
// MIGRATING.md lists are asserted as differences, so neither side can drift silently.
import { tool } from '@langchain/core/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { liveToken, openStack, outcome, ours, upstream } from './stacks.js';

type Adapter = 'ADK' | 'LangChain';
const wrapWith = (lib: typeof ours | typeof upstream, adapter: Adapter) =>
  (adapter === 'ADK' ? lib.withGrantexAuthADK : lib.withGrantexAuthLangChain) as (tool: object, options: object) => Record<string, (...args: unknown[]) => unknown>;

// The tools upstream's README describes for each adapter: ADK objects with `func` or `run`, LangChain `_call` or `invoke`.
const toolsFor = (adapter: Adapter, body: (args: { day: string }) => unknown) =>
  adapter === 'ADK'
    ? [
        { method: 'func', tool: { name: 'read_calendar', description: 'Reads a day', func: async (args: { day: string }) => body(args) } },
        { method: 'run', tool: { name: 'read_calendar', run: async (args: { day: string }) => body(args) } },
      ]
    : [
        { method: '_call', tool: tool(async (args: { day: string }) => String(body(args)), { name: 'read_calendar', description: 'Reads a day', schema: z.object({ day: z.string() }) }) },
        { method: 'invoke', tool: { name: 'read_calendar', invoke: async (args: { day: string }) => body(args) } },
      ];

const stacks: ReturnType<typeof openStack>[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.close()));
});

async function sideBySide(adapter: Adapter, method: string, makeTool: () => object, scopes: string[], grantToken: string) {
  const results = [];
  for (const name of ['upstream', 'ours'] as const) {
    const stack = openStack(name);
    stacks.push(stack);
    const guarded = wrapWith(stack.lib, adapter)(makeTool(), { verifier: stack.verifier, auditLog: stack.auditLog, requiredScopes: scopes, grantToken });
    const seen = await outcome(() => guarded[method]!({ day: 'monday' }));
    const entries = await stack.auditLog.entries();
    results.push({ seen, trail: entries.map((e) => [e.action, e.result]), entries });
  }
  return { upstream: results[0]!, ours: results[1]! };
}

describe.each(['ADK', 'LangChain'] as const)('%s adapter, upstream and ours side by side', (adapter) => {
  const cases = toolsFor(adapter, ({ day }) => `3 events on ${day}`).map((t, i) => [t.method, i] as const);

  it.each(cases)('an allowed call through %s: same value, same trail', async (method, i) => {
    const token = await liveToken({ scp: ['calendar:read'] });
    const { upstream: u, ours: o } = await sideBySide(adapter, method, () => toolsFor(adapter, ({ day }) => `3 events on ${day}`)[i]!.tool, ['calendar:read'], token);
    expect(o.seen).toEqual(u.seen);
    expect(o.seen).toEqual({ value: '3 events on monday' });
    expect(o.trail).toEqual(u.trail);
    expect(o.trail).toEqual([['tool:read_calendar', 'success']]);
  });

  it.each(cases)('a missing scope through %s: same ScopeViolationError, same trail, the tool never runs', async (method, i) => {
    let ran = 0;
    const token = await liveToken({ scp: ['calendar:read'] });
    const { upstream: u, ours: o } = await sideBySide(adapter, method, () => toolsFor(adapter, () => ++ran)[i]!.tool, ['email:send'], token);
    expect(o.seen).toEqual(u.seen);
    expect(o.seen).toEqual({ error: { code: 'SCOPE_VIOLATION', message: 'Scope violation: required [email:send] but grant has [calendar:read]' } });
    expect([o.trail, u.trail]).toEqual([[['tool:read_calendar', 'scope_violation']], [['tool:read_calendar', 'scope_violation']]]);
    expect(ran).toBe(0);
  });

  it.each(cases)('an expired token through %s: the same AUTH_FAILED error and message, same trail', async (method, i) => {
    const nowS = Math.floor(Date.now() / 1000);
    const token = await liveToken({ iat: nowS - 7200, exp: nowS - 3600 });
    const { upstream: u, ours: o } = await sideBySide(adapter, method, () => toolsFor(adapter, () => 'ran')[i]!.tool, ['calendar:read'], token);
    expect(o.seen).toEqual(u.seen);
    expect(o.seen).toEqual({ error: { code: 'AUTH_FAILED', message: `Authorization failed: Token expired at ${new Date((nowS - 3600) * 1000).toISOString()}` } });
    expect(o.trail).toEqual(u.trail);
    // Kept difference (MIGRATING.md): upstream records a refusal with empty ids, which no
    // authority can attribute; ours records the token's agent and grant.
    expect([u.entries[0]!.agentDID, u.entries[0]!.grantId]).toEqual(['', '']);
    expect([o.entries[0]!.agentDID, o.entries[0]!.grantId]).toEqual(['did:key:z6MkAgent', 'grnt_test']);
  });

  it.each(cases)('a tool that throws through %s: its own error comes back on both, same trail', async (method, i) => {
    const token = await liveToken({ scp: ['calendar:read'] });
    const { upstream: u, ours: o } = await sideBySide(adapter, method, () => toolsFor(adapter, () => { throw new RangeError('calendar offline'); })[i]!.tool, ['calendar:read'], token);
    expect(o.seen).toEqual(u.seen);
    expect(o.seen).toEqual({ error: { code: null, message: 'calendar offline' } });
    expect(o.trail).toEqual([['tool:read_calendar', 'execution_error']]);
    expect(o.trail).toEqual(u.trail);
  });

  it('a tool without the method: the same INVALID_TOOL error at wrap time, nothing written', async () => {
    const token = await liveToken();
    const seen = [];
    for (const name of ['upstream', 'ours'] as const) {
      const stack = openStack(name);
      stacks.push(stack);
      seen.push(await outcome(() => wrapWith(stack.lib, adapter)({ name: 'x', execute: () => 1 }, { verifier: stack.verifier, auditLog: stack.auditLog, requiredScopes: [], grantToken: token })));
      expect(await stack.auditLog.entries()).toEqual([]);
    }
    expect(seen[1]).toEqual(seen[0]);
    const methods = adapter === 'ADK' ? '"func" or "run"' : '"_call" or "invoke"';
    expect(seen[1]).toEqual({ error: { code: 'INVALID_TOOL', message: `Tool must have a ${methods} method` } });
  });
});
