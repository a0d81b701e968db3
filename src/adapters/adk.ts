// Google ADK: the guarded tool is still a FunctionTool (same class, declaration and ADK's own
// marker); its `runAsync`, which ADK's tool loop calls, goes through the guard first.
import type { BaseTool } from '@google/adk';
import { guardToolMethod } from './guard-from-options.js';

export type { AdapterOptions } from './guard-from-options.js';

/** Wraps an ADK `FunctionTool` (or any `BaseTool`) so every call is verified, scoped and audited. */
export const withOfflineConsent = guardToolMethod<BaseTool>('runAsync');

/** `@grantex/gemma`'s name and options (`verifier`, `auditLog`, `requiredScopes`, `grantToken`). */
export { withOfflineConsent as withGrantexAuth, withOfflineConsent as withGrantexAuthADK };
