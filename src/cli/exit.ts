// How any failure leaves the CLI: one line saying what and what to do, and an exit code that
// says which kind it was (docs/cli.md): 1 a check failed, 2 usage or input, 3 no authority.
import { OfflineConsentError } from '../index.js';
import { CliError } from './output.js';
import { FILE_ERRORS } from './read-input.js';

/** Exit codes, as documented in docs/cli.md. */
export const EXIT = { ok: 0, checkFailed: 1, usage: 2, unreachable: 3 } as const;

/** Library codes that mean the file or bundle itself failed a check (tampered, wrong key, broken). */
const CHECK_FAILED = /^(BUNDLE_TAMPERED|BUNDLE_KEY_MISMATCH|HASH_CHAIN_BROKEN|INVALID_AUDIT_ENTRY|AUDIT_STORE_CORRUPT|AUDIT_LOG_TRUNCATED|VERIFICATION_FAILED)$/;

/** The line to print and the exit code for `error`. */
export function exitFor(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  const e = error as { code?: unknown; path?: unknown; syscall?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && FILE_ERRORS[e.code] && typeof e.path === 'string') {
    return { message: `cannot ${e.syscall === 'open' || e.syscall === 'read' ? 'read' : 'use'} ${e.path}: ${FILE_ERRORS[e.code]}`, exitCode: EXIT.usage };
  }
  if (error instanceof OfflineConsentError) {
    if (error.code === 'NETWORK_ERROR' || error.code === 'TIMEOUT') {
      return { message: `${error.message} [${error.code}]; check the --url and that the authority is running`, exitCode: EXIT.unreachable };
    }
    return { message: `${error.message} [${error.code}]`, exitCode: CHECK_FAILED.test(error.code) ? EXIT.checkFailed : EXIT.usage };
  }
  return { message: error instanceof Error ? error.message : String(error), exitCode: EXIT.usage };
}
