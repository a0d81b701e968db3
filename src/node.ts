/** offline-consent for Node, Deno and Bun: the core plus filesystem conveniences. */
export * from './index.js';
