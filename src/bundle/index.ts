export type { ConsentBundle } from './types.js';
export { validateBundle } from './validate.js';
export { sealBundle, type SealOptions } from './seal.js';
export { openBundle, detectBundleFormat, type OpenOptions } from './open.js';
export { importAuditSigningKey } from './signing-key.js';
export type { BundleKey, ScryptFunction } from './key.js';
export { DEFAULT_ITERATIONS } from './formats/own.js';
