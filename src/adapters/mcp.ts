/**
 * The Model Context Protocol adapter: {@link guardMcpServer} guards the tools of an MCP server.
 *
 * @module offline-consent/adapters/mcp
 */
// An `McpServer` from `@modelcontextprotocol/sdk` keeps each registered tool's handler on the
// object `registerTool` returns. The adapter replaces that handler — for the tools already
// registered and, through `registerTool`, for every tool registered later — so each
// `tools/call` is checked after the SDK has validated the arguments. The SDK's tool map is not
// public API; it is read once here, and a server without it is refused at wrap time.
import { OfflineConsentError } from '../errors.js';
import { readGrantIdentity } from '../guard/identity.js';
import type { AgentGuard } from '../guard/types.js';
import type { AdapterGuard } from './guard-from-options.js';
import { refusals, runGuarded, toolArgs } from './guarded-copy.js';
import { refusalText, scopesFor, type ScopeMap } from './scope-map.js';

export type { ScopeMap } from './scope-map.js';

/** Options of {@link guardMcpServer}. */
export interface GuardMcpServerOptions {
  /** The guard every `tools/call` runs through. */
  guard: AgentGuard;
  /** The scopes each tool needs, by tool name; a tool without an entry cannot be registered (`[]` for none). */
  scopes: ScopeMap;
  /** The audit action of a tool (default `tool:<name>`). */
  action?: (name: string) => string;
  /**
   * Leave out of `tools/list` the tools whose scopes the bundle's grant does not hold (read
   * from its token). A hidden tool that is called anyway is still checked, refused and audited.
   */
  hideUncovered?: { grantToken: string };
}

type Handler = (...args: unknown[]) => unknown;
interface RegisteredTool {
  handler: Handler | { createTask: unknown };
  update(updates: { name?: string | null; callback?: Handler } & Record<string, unknown>): void;
}
/** The parts of an SDK `McpServer` the adapter uses. */
export interface McpServerLike {
  /** The SDK's `McpServer.registerTool`. */
  registerTool(name: string, config: never, callback: never): unknown;
}
type Internals = McpServerLike & {
  _registeredTools?: Record<string, RegisteredTool>;
  tool?: (name: string, ...rest: never[]) => unknown;
  server?: { _requestHandlers?: Map<string, Handler> };
};

/** A tool's own `isError` result: audited as an execution error, handed back unchanged. */
class ToolReportedError extends Error {
  override name = 'ToolReportedError';
  constructor(readonly result: unknown) {
    super('The tool reported an error');
  }
}

/** A `CallToolResult` for a refusal: `isError`, with the stable code leading the text the model reads. */
function refusalResult(error: unknown) {
  const code = (error as { code?: unknown } | null)?.code;
  return { content: [{ type: 'text' as const, text: refusalText(error) }], isError: true, _meta: { 'offline-consent/refusal': { code } } };
}

/**
 * Guards every tool of an `McpServer` — those registered already and those registered later
 * with `registerTool` (or the older `tool`) — so each `tools/call` is verified, scoped and
 * audited before the tool runs. A refusal is a `CallToolResult` with `isError: true` whose text
 * starts with the code (for example `SCOPE_VIOLATION: …`); a tool's own `isError` result is
 * audited as `execution_error`. Fails closed: a tool with no scope mapping, or a task-based
 * tool (not supported yet), is `INVALID_TOOL` when it is guarded or registered.
 * Returns the same server.
 *
 * @example
 * ```ts
 * import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
 * import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
 * import { z } from 'zod';
 * import type { AgentGuard } from 'offline-consent';
 * import { guardMcpServer } from 'offline-consent/adapters/mcp';
 *
 * declare const guard: AgentGuard, sensor: { read(room: string): Promise<number> };
 * const server = guardMcpServer(new McpServer({ name: 'pi-tools', version: '1.0.0' }), { guard, scopes: { read_sensor: ['sensor:read'] } });
 * server.registerTool('read_sensor', { description: 'Reads a room sensor', inputSchema: { room: z.string() } }, async ({ room }) => ({ content: [{ type: 'text', text: String(await sensor.read(room)) }] }));
 * await server.connect(new StdioServerTransport());
 * ```
 */
export function guardMcpServer<S extends McpServerLike>(server: S, options: GuardMcpServerOptions): S {
  if (!options || typeof options.guard?.run !== 'function') throw new TypeError('Pass { guard, scopes }');
  const map = options.scopes;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new TypeError('scopes must be an object: { toolName: [scope, …] }');
  const mcp = server as Internals;
  const tools = mcp._registeredTools;
  if (typeof mcp.registerTool !== 'function' || typeof tools !== 'object' || tools === null) {
    throw new OfflineConsentError('Not an McpServer from @modelcontextprotocol/sdk 1.x: its tools cannot be guarded', 'INVALID_TOOL');
  }
  const adapter: AdapterGuard = { guard: options.guard, refusal: (error) => error };
  const guarded = new WeakSet<object>();

  const guardHandler = (name: string, handler: RegisteredTool['handler']): Handler => {
    if (typeof handler !== 'function') throw new OfflineConsentError(`Tool "${name}" is a task-based tool, which the guard does not support yet`, 'INVALID_TOOL');
    const requiredScopes = scopesFor(map, name);
    const action = options.action?.(name) ?? `tool:${name}`;
    const wrapped: Handler = async (...args) => {
      try {
        // A tool with an input schema is called (args, extra); one without, (extra).
        const called = args.length > 1 ? toolArgs('', args[0]) : undefined;
        return await runGuarded(adapter, action, requiredScopes, async () => {
          const result = await handler(...args);
          if ((result as { isError?: unknown } | null)?.isError === true) throw new ToolReportedError(result);
          return result;
        }, called ? { args: called } : undefined);
      } catch (error) {
        if (error instanceof ToolReportedError) return error.result;
        if (typeof error === 'object' && error !== null && refusals.has(error)) return refusalResult(error);
        throw error; // the tool's own error: the SDK reports it as it would unguarded
      }
    };
    guarded.add(wrapped);
    return wrapped;
  };

  /** Guards one registered tool, and keeps it guarded through `update` (a new callback, a new name). */
  const guardTool = (name: string, tool: RegisteredTool) => {
    if (guarded.has(tool.handler as object)) return;
    let current = name;
    let original = tool.handler;
    tool.handler = guardHandler(name, original);
    const update = tool.update.bind(tool);
    tool.update = (updates) => {
      if (updates.name === null) return update(updates); // removed
      const next = typeof updates.name === 'string' ? updates.name : current;
      const callback = updates.callback ?? (next !== current ? original : undefined);
      // Guarded (and a name without scopes refused) before the SDK applies anything.
      update(callback ? { ...updates, callback: guardHandler(next, callback) } : updates);
      if (callback) original = callback;
      current = next;
    };
  };

  for (const [name, tool] of Object.entries(tools)) guardTool(name, tool);
  for (const method of ['registerTool', 'tool'] as const) {
    const register = mcp[method];
    if (typeof register !== 'function') continue;
    mcp[method] = ((name: string, ...rest: never[]) => {
      scopesFor(map, name); // refused before the SDK registers it
      const tool = (register as Handler).call(mcp, name, ...rest) as RegisteredTool;
      guardTool(name, tool);
      if (options.hideUncovered) filterList();
      return tool;
    }) as never;
  }

  let listWrapped = false;
  const filterList = () => {
    const handlers = mcp.server?._requestHandlers;
    if (!(handlers instanceof Map)) throw new OfflineConsentError('hideUncovered needs an McpServer from @modelcontextprotocol/sdk 1.x', 'INVALID_TOOL');
    const list = handlers.get('tools/list');
    if (listWrapped || !list) return;
    const held = new Set(readGrantIdentity(options.hideUncovered!.grantToken).scopes);
    const covered = (name: string) => Object.hasOwn(map, name) && map[name]!.every((s) => held.has(s));
    handlers.set('tools/list', async (...args) => {
      const result = (await list(...args)) as { tools: { name: string }[] };
      return { ...result, tools: result.tools.filter((t) => covered(t.name)) };
    });
    listWrapped = true;
  };
  if (options.hideUncovered) filterList();
  return server;
}
