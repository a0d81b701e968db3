/** What dist/ is built from. */
export const SOURCES: string[];
/** What the build writes. */
export const OUTPUTS: string[];
/** Whether the build under `root` is missing an output or older than a source. */
export function isStale(root: string, sources?: string[], outputs?: string[]): boolean;
