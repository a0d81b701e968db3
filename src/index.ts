/**
 * offline-consent — the runtime-neutral core. Everything here runs on Web Crypto alone,
 * in browsers, Node 20+, Deno and Bun. Where a resolver applies the `node` or `browser` export
 * condition, `offline-consent` resolves to `offline-consent/node` or `offline-consent/browser`,
 * which re-export all of this plus storage for that platform.
 *
 * @module offline-consent
 */
export * from './errors.js';
export * from './verifier/index.js';
export { generateEd25519KeyPair } from './crypto/ed25519.js';
export * from './audit/index.js';
export * from './storage/index.js';
export * from './sync/index.js';
export * from './guard/index.js';
export * from './bundle/index.js';
export * from './device/index.js';
// Upstream's root exports the two adapters; they import nothing from their frameworks at run time.
export { withGrantexAuthADK, type GoogleADKAuthOptions, type ADKToolLike } from './adapters/adk.js';
export { withGrantexAuthLangChain, type LangChainAuthOptions, type LangChainToolLike } from './adapters/langchain.js';
export type { AdapterOptions } from './adapters/guard-from-options.js';
export type { UpstreamAuditLog } from './adapters/upstream-log.js';
export { AuthFailedError } from './adapters/auth-failed.js';
