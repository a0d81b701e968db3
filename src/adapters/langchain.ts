/**
 * The LangChain JS adapter: {@link withOfflineConsent} guards a LangChain tool.
 *
 * @module offline-consent/adapters/langchain
 */
// LangChain JS: the guarded tool is still the same class with the same name, description
// and schema; only its `_call` (what `invoke` ends in, after schema validation) goes through
// the guard. An object with only `invoke` (upstream's contract) has `invoke` guarded.
// Invoked with a ToolCall (as an agent loop does), a refusal comes back as an error
// ToolMessage the model can read, and the loop goes on; plain `invoke(args)` keeps throwing.
import type { AdapterOptions } from './guard-from-options.js';
import { copyWithMethod, guardMethod, pickMethod, refusals } from './guarded-copy.js';
import { refusalText } from './scope-map.js';

export type { AdapterOptions } from './guard-from-options.js';

/** `@grantex/gemma`'s name for the LangChain adapter's options: the same {@link AdapterOptions}. */
export type LangChainAuthOptions = AdapterOptions;

/** Options of {@link withOfflineConsent}: {@link AdapterOptions} and what a refusal inside an agent loop becomes. */
export type LangChainOptions = AdapterOptions & {
  /** Throw refusals even when the tool was invoked with a `ToolCall` (default: return an error `ToolMessage`). */
  throwOnDenied?: boolean;
};

const isToolCall = (value: unknown): value is object => (value as { type?: unknown } | null)?.type === 'tool_call';

/** What the LangChain adapter wraps: a `tool()` result, a `StructuredTool`, or any object with `_call` or `invoke`. */
export type LangChainToolLike = { name: string; invoke(...args: never[]): Promise<unknown> } | { name?: string; _call: (...args: never[]) => unknown } | { name?: string; invoke: (...args: never[]) => unknown };

/**
 * Wraps a LangChain tool so every call is verified, scoped and audited; anything without `_call` or `invoke` is `INVALID_TOOL`.
 * Invoked with a `ToolCall` (as agent loops do), a refusal of a LangChain tool returns a `ToolMessage` with
 * `status: 'error'` whose text starts with the code, unless `throwOnDenied`; invoked with plain arguments it
 * throws the typed error, as does an object with only `invoke`. The tool's own errors always throw.
 *
 * @example
 * ```ts
 * import { tool } from '@langchain/core/tools';
 * import { z } from 'zod';
 * import type { AgentGuard } from 'offline-consent';
 * import { withOfflineConsent } from 'offline-consent/adapters/langchain';
 *
 * declare const guard: AgentGuard, sensor: { read(room: string): Promise<string> };
 * const readSensor = withOfflineConsent(
 *   tool(async ({ room }) => sensor.read(room), { name: 'read_sensor', description: 'Reads a room sensor', schema: z.object({ room: z.string() }) }),
 *   { guard, requiredScopes: ['sensor:read'] }, // audited as action 'tool:read_sensor'
 * );
 * await readSensor.invoke({ room: 'kitchen' });
 * ```
 */
export function withOfflineConsent<T extends LangChainToolLike>(tool: T, options: LangChainOptions): T {
  const method = pickMethod(Object(tool) as object, ['_call', 'invoke']);
  const guarded = withGrantexAuthLangChain(tool, options);
  // Only a LangChain tool (one with `_call`) makes its own ToolMessages, so only it answers a refused ToolCall with one.
  if (options.throwOnDenied || method !== '_call' || typeof (guarded as { invoke?: unknown }).invoke !== 'function') return guarded;
  const refused = new WeakSet<object>();
  // `_call` sees the ToolCall in its config when `invoke` was given one: a refusal then becomes the
  // tool's output text (LangChain wraps it in a ToolMessage, built by its own class)...
  const answering = copyWithMethod(guarded, '_call', (inner) =>
    async function (this: { responseFormat?: string }, ...args: unknown[]) {
      try {
        return await inner.apply(this, args);
      } catch (error) {
        const call = (args[2] as { toolCall?: unknown } | undefined)?.toolCall;
        if (!isToolCall(call) || typeof error !== 'object' || error === null || !refusals.has(error)) throw error;
        refused.add(call);
        const text = refusalText(error);
        return this.responseFormat === 'content_and_artifact' ? [text, undefined] : text;
      }
    },
  );
  // ...and `invoke` marks that ToolMessage as an error.
  return copyWithMethod(answering, 'invoke', (invoke) =>
    async function (this: unknown, ...args: unknown[]) {
      const output = await invoke.apply(this, args);
      if (isToolCall(args[0]) && refused.has(args[0]) && typeof output === 'object' && output !== null) (output as { status?: string }).status = 'error';
      return output;
    },
  );
}

/**
 * `@grantex/gemma`'s name, options (`verifier`, `auditLog`, `requiredScopes`, `grantToken`) and
 * behaviour: every refusal throws, a ToolCall's too (use {@link withOfflineConsent} for error ToolMessages).
 */
export function withGrantexAuthLangChain<T extends LangChainToolLike>(tool: T, options: LangChainAuthOptions): T {
  return guardMethod(tool, pickMethod(Object(tool) as object, ['_call', 'invoke']), options);
}

export { withGrantexAuthLangChain as withGrantexAuth };
