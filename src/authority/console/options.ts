/** Options of the operator console at `/console` (`AuthorityOptions.console`). */
export interface ConsoleOptions {
  /** How long a sign-in lasts, e.g. "30m" or "12h" (default "8h", at most "30d"); the session then expires on every instance. */
  sessionTTL?: string;
}
