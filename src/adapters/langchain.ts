/**
 * The LangChain JS adapter: {@link withOfflineConsent} guards a LangChain tool.
 *
 * @module offline-consent/adapters/langchain
 */
// LangChain JS: the guarded tool is still the same class with the same name, description
// and schema; only its `_call` (what `invoke` ends in, after schema validation) goes through
// the guard. An object with only `invoke` (upstream's contract) has `invoke` guarded.
import type { AdapterOptions } from './guard-from-options.js';
import { guardMethod, pickMethod } from './guarded-copy.js';

export type { AdapterOptions } from './guard-from-options.js';

/** `@grantex/gemma`'s name for the LangChain adapter's options: the same {@link AdapterOptions}. */
export type LangChainAuthOptions = AdapterOptions;

/** What the LangChain adapter wraps: a `tool()` result, a `StructuredTool`, or any object with `_call` or `invoke`. */
export type LangChainToolLike = { name: string; invoke(...args: never[]): Promise<unknown> } | { name?: string; _call: (...args: never[]) => unknown } | { name?: string; invoke: (...args: never[]) => unknown };

/**
 * Wraps a LangChain tool so every call is verified, scoped and audited; anything without `_call` or `invoke` is `INVALID_TOOL`.
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
export function withOfflineConsent<T extends LangChainToolLike>(tool: T, options: AdapterOptions): T {
  return guardMethod(tool, pickMethod(Object(tool) as object, ['_call', 'invoke']), options);
}

/** `@grantex/gemma`'s name and options (`verifier`, `auditLog`, `requiredScopes`, `grantToken`). */
export { withOfflineConsent as withGrantexAuth, withOfflineConsent as withGrantexAuthLangChain };
