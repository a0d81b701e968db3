/** The commands whose --help docs/cli.md holds. */
export const COMMANDS: string[];
/** The reference section: each command's --help, as the built CLI prints it. */
export function reference(): string;
/** `doc` with its cli-help section replaced by `section`. */
export function withReference(doc: string, section: string): string;
