/**
 * The Vercel AI SDK adapter: {@link guardTools} guards a tools object for `generateText`,
 * `streamText` and agents.
 *
 * @module offline-consent/adapters/ai-sdk
 */
// Each tool keeps its description, schemas and hooks; only `execute` runs through the guard.
// The SDK calls `execute` after it has parsed the input (and after any approval), and turns
// whatever it throws into a `tool-error` part the model reads, so a refusal does not end the loop.
import { OfflineConsentError } from '../errors.js';
import type { AgentGuard } from '../guard/types.js';
import { inCallOrder } from './call-order.js';
import type { AdapterGuard } from './guard-from-options.js';
import { runGuarded, toolArgs } from './guarded-copy.js';
import { checkScopeMap, scopesFor } from './scope-map.js';

/** What {@link guardTools} wraps: the AI SDK's `ToolSet` shape (a tool is an object with `execute`). */
export type AiSdkToolSet = Readonly<Record<string, object>>;

/** Options of {@link guardTools}. */
export interface GuardToolsOptions<T extends AiSdkToolSet> {
  /** The guard every call runs through. */
  guard: AgentGuard;
  /** The scopes each tool needs, by its key in the tools object; every tool must be listed (`[]` for none). */
  scopes: { readonly [K in keyof T]: readonly string[] };
  /** The audit action of a tool (default `tool:<name>`). */
  action?: (name: string) => string;
  /**
   * Let calls of one step run at the same time. By default they run one after another in the
   * order the model issued them, so the trail keeps that order; concurrent entries land in the
   * order the calls finish.
   */
  concurrent?: boolean;
}

type Execute = (input: unknown, options?: { toolCallId?: string; abortSignal?: AbortSignal }) => unknown;

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> => typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
const isAsyncGeneratorFunction = (fn: unknown) => Object.prototype.toString.call(fn) === '[object AsyncGeneratorFunction]';

/**
 * Wraps every tool of an AI SDK tools object so each `execute` is verified, scoped and
 * audited. A refusal is thrown typed (`ScopeViolationError`, `OfflineExpiredError`, …), which
 * the SDK hands to the model as the tool's error result; the loop goes on. Fails closed at
 * wrap time: a tool with no scope mapping, a mapping for a tool that is not there, or a tool
 * with no `execute` (run by the client or the provider, out of the guard's reach) is
 * `INVALID_TOOL`. A streaming tool (an async generator) runs to its end inside the guard, so
 * the trail records its real outcome; its preliminary results are then replayed.
 *
 * @example
 * ```ts
 * import { generateText, stepCountIs, tool, type LanguageModel } from 'ai';
 * import { z } from 'zod';
 * import type { AgentGuard } from 'offline-consent';
 * import { guardTools } from 'offline-consent/adapters/ai-sdk';
 *
 * declare const guard: AgentGuard, model: LanguageModel;
 * const tools = guardTools(
 *   { read_sensor: tool({ description: 'Reads a room sensor', inputSchema: z.object({ room: z.string() }), execute: async ({ room }) => ({ room, celsius: 21.5 }) }) },
 *   { guard, scopes: { read_sensor: ['sensor:read'] } },
 * );
 * const { text } = await generateText({ model, tools, stopWhen: stepCountIs(4), prompt: 'How warm is the kitchen?' });
 * ```
 */
export function guardTools<T extends AiSdkToolSet>(tools: T, options: GuardToolsOptions<T>): T {
  if (!options || typeof options.guard?.run !== 'function') throw new TypeError('Pass { guard, scopes }');
  const names = Object.keys(tools ?? {});
  const map = checkScopeMap(options.scopes, names);
  const adapter: AdapterGuard = { guard: options.guard, refusal: (error) => error };
  const order = options.concurrent ? <R>(task: () => Promise<R>) => task() : inCallOrder();
  const guarded: Record<string, unknown> = {};
  for (const name of names) {
    const tool = tools[name] as { execute?: unknown };
    const requiredScopes = scopesFor(map, name);
    const original = tool.execute as Execute | undefined;
    if (typeof original !== 'function') {
      throw new OfflineConsentError(`Tool "${name}" has no execute function, so the guard cannot check its calls; guard it where it runs, with guard.run`, 'INVALID_TOOL');
    }
    const action = options.action?.(name) ?? `tool:${name}`;
    const streams = isAsyncGeneratorFunction(original);
    const call = (input: unknown, callOptions?: Parameters<Execute>[1]) =>
      order(async () => {
        callOptions?.abortSignal?.throwIfAborted(); // stopped while it waited its turn: never started, so not audited
        const called = toolArgs('', input);
        const runOptions = { ...(typeof callOptions?.toolCallId === 'string' ? { metadata: { toolCallId: callOptions.toolCallId } } : {}), ...(called ? { args: called } : {}) };
        return runGuarded(adapter, action, requiredScopes, async () => {
          const value = await original.call(tool, input, callOptions);
          if (!isAsyncIterable(value)) return { value };
          const parts: unknown[] = [];
          for await (const part of value) parts.push(part);
          return { value: parts.at(-1), parts };
        }, runOptions);
      });
    const execute = streams
      ? async function* (input: unknown, callOptions?: Parameters<Execute>[1]) {
          yield* (await call(input, callOptions)).parts ?? [];
        }
      : async (input: unknown, callOptions?: Parameters<Execute>[1]) => (await call(input, callOptions)).value;
    guarded[name] = { ...tool, execute };
  }
  return guarded as T;
}
