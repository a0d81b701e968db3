/** The directory holding `initdb` and `pg_ctl` (`PG_BIN`, else the newest Debian version), or `null`. */
export function findPostgresBin(env?: Record<string, string | undefined>): string | null;
