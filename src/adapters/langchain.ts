// LangChain JS: the guarded tool is still the same class with the same name, description
// and schema; only its `_call` (what `invoke` ends in, after schema validation) goes through the guard.
import type { StructuredToolInterface } from '@langchain/core/tools';
import type { AdapterOptions } from './guard-from-options.js';
import { guardToolMethod } from './guarded-copy.js';

export type { AdapterOptions } from './guard-from-options.js';

/** `@grantex/gemma`'s name for the LangChain adapter's options: the same {@link AdapterOptions}. */
export type LangChainAuthOptions = AdapterOptions;

/** Wraps a `tool()` result or a `StructuredTool` subclass so every call is verified, scoped and audited. */
export const withOfflineConsent = guardToolMethod<StructuredToolInterface>('_call');

/** `@grantex/gemma`'s name and options (`verifier`, `auditLog`, `requiredScopes`, `grantToken`). */
export { withOfflineConsent as withGrantexAuth, withOfflineConsent as withGrantexAuthLangChain };
