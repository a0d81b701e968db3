// Google ADK: the guarded tool is still a FunctionTool (same class, declaration and ADK's own
// marker). For a FunctionTool the guard wraps `execute`, which ADK's `runAsync` calls only after
// it has validated the arguments and passed any human confirmation — so a call that is still
// waiting for approval, or was rejected, is not audited as a success. Other BaseTools have their
// whole `runAsync` guarded.
import type { BaseTool } from '@google/adk';
import type { AdapterOptions } from './guard-from-options.js';
import { copyWithMethod, guardToolMethod } from './guarded-copy.js';

export type { AdapterOptions } from './guard-from-options.js';

/** `@grantex/gemma`'s name for the ADK adapter's options: the same {@link AdapterOptions}. */
export type GoogleADKAuthOptions = AdapterOptions;

const guardExecute = guardToolMethod<BaseTool>('execute');
const guardRunAsync = guardToolMethod<BaseTool>('runAsync');

/** Wraps an ADK `FunctionTool` (or any `BaseTool`) so every call is verified, scoped and audited. */
export function withOfflineConsent<T extends BaseTool>(tool: T, options: AdapterOptions): T {
  if (!Object.hasOwn(tool, 'execute')) return guardRunAsync(tool, options);
  const guarded = guardExecute(tool, options);
  // ADK turns whatever `execute` throws into a plain Error; callers of runAsync get the typed one back.
  return copyWithMethod(guarded, 'runAsync', (runAsync) =>
    async function (this: T, ...args: unknown[]) {
      let failure: unknown;
      const execute = (guarded as unknown as { execute: (...a: unknown[]) => Promise<unknown> }).execute;
      const call = Object.create(this, {
        execute: { value: (...a: unknown[]) => execute.apply(call, a).catch((error: unknown) => Promise.reject((failure = error))) },
      }) as T;
      try {
        return await runAsync.apply(call, args);
      } catch (error) {
        throw failure ?? error;
      }
    },
  );
}

/** `@grantex/gemma`'s name and options (`verifier`, `auditLog`, `requiredScopes`, `grantToken`). */
export { withOfflineConsent as withGrantexAuth, withOfflineConsent as withGrantexAuthADK };
