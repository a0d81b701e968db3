/** Prints a result: JSON for scripts (--json), or human lines. */
export function report(json: boolean, value: Record<string, unknown>, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/** A CLI failure with the exit code it should produce. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}
