/** offline-consent for browsers: the core plus IndexedDB conveniences. */
export * from './index.js';
