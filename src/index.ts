/**
 * offline-consent — the runtime-neutral core. Everything here runs on Web Crypto alone,
 * in browsers, Node 20+, Deno and Bun.
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
