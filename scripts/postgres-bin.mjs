// Where Debian's PostgreSQL server binaries are: `PG_BIN`, else the newest
// /usr/lib/postgresql/<version>/bin holding both initdb and pg_ctl. Shared by the system check
// of `npm test` and the test suite's throwaway cluster, so both agree on what "installed" means.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The directory holding `initdb` and `pg_ctl`, or `null` when there is none. */
export function findPostgresBin(env = process.env) {
  let versions = [];
  try {
    versions = readdirSync('/usr/lib/postgresql');
  } catch {}
  const candidates = [env.PG_BIN, ...versions.sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`)];
  return candidates.find((d) => d && existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl'))) ?? null;
}
