// The operator console: what app.ts mounts at /console.
export { consoleApp, sessionTtlMs } from './console-app.js';
export type { ConsoleOptions } from './options.js';
