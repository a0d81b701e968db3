import { createRequire } from 'node:module';

/** This package's version, read from its package.json (next to `dist/`, where the CLI runs from). */
export function cliVersion(): string {
  try {
    return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
