/**
 * The Google ADK adapter: {@link withOfflineConsent} guards an ADK tool.
 *
 * @module offline-consent/adapters/adk
 */
// Google ADK: the guarded tool is still a FunctionTool (same class, declaration and ADK's own
// marker). For a FunctionTool the guard wraps `execute`, which ADK's `runAsync` calls only after
// it has validated the arguments and passed any human confirmation — so a call that is still
// waiting for approval, or was rejected, is not audited as a success. Other BaseTools have their
// whole `runAsync` guarded; plain objects with `func` or `run` (upstream's contract) that method.
import type { AdapterOptions } from './guard-from-options.js';
import { copyWithMethod, guardMethod, pickMethod, refusals, type Method } from './guarded-copy.js';

export type { AdapterOptions } from './guard-from-options.js';

/** `@grantex/gemma`'s name for the ADK adapter's options: the same {@link AdapterOptions}. */
export type GoogleADKAuthOptions = AdapterOptions;

/** What the ADK adapter wraps: an ADK `BaseTool`, or any object with a `func` or `run` method. */
export type ADKToolLike = { name: string; runAsync(...args: never[]): Promise<unknown> } | { name?: string; func: (...args: never[]) => unknown } | { name?: string; run: (...args: never[]) => unknown };

/**
 * Wraps an ADK `FunctionTool` (or any ADK `BaseTool`, or an object with `func` / `run`) so every
 * call is verified, scoped and audited. Anything else is refused with `INVALID_TOOL`.
 *
 * @example
 * ```ts
 * import { FunctionTool, LlmAgent, type BaseLlm } from '@google/adk';
 * import { z } from 'zod';
 * import type { AgentGuard } from 'offline-consent';
 * import { withOfflineConsent } from 'offline-consent/adapters/adk';
 *
 * declare const guard: AgentGuard, model: BaseLlm, sensor: { read(room: string): Promise<{ celsius: number }> };
 * const readSensor = withOfflineConsent(
 *   new FunctionTool({ name: 'read_sensor', description: 'Reads a room sensor', parameters: z.object({ room: z.string() }), execute: ({ room }) => sensor.read(room) }),
 *   { guard, requiredScopes: ['sensor:read'] },
 * );
 * const agent = new LlmAgent({ name: 'pi_agent', model, instruction: 'Report room temperatures.', tools: [readSensor] });
 * ```
 */
export function withOfflineConsent<T extends ADKToolLike>(tool: T, options: AdapterOptions): T {
  const method = pickMethod(Object(tool) as object, ['runAsync', 'func', 'run']);
  if (method !== 'runAsync' || !Object.hasOwn(tool, 'execute')) return guardMethod(tool, method, options);
  const guarded = guardMethod(tool, 'execute', options);
  // ADK turns whatever `execute` throws into a plain Error: callers of runAsync get the guard's
  // refusal back typed, while the tool's own error keeps ADK's wrapping, as it would unguarded.
  const execute = (guarded as unknown as { execute: Method }).execute;
  return copyWithMethod(guarded, 'runAsync', (runAsync) =>
    async function (this: T, ...args: unknown[]) {
      let refusal: { error: unknown } | undefined;
      const call = Object.create(this, {
        execute: {
          value: (...a: unknown[]) =>
            Promise.resolve(execute.apply(call, a)).catch((error: unknown) => {
              if (typeof error === 'object' && error !== null && refusals.has(error)) refusal = { error };
              throw error;
            }),
        },
      }) as T;
      try {
        return await runAsync.apply(call, args);
      } catch (error) {
        throw refusal ? refusal.error : error;
      }
    },
  );
}

/** `@grantex/gemma`'s name and options (`verifier`, `auditLog`, `requiredScopes`, `grantToken`). */
export { withOfflineConsent as withGrantexAuth, withOfflineConsent as withGrantexAuthADK };
