/** SQLSTATE classes and socket errors that mean "the database went away", not "this request is wrong". */
const SQLSTATE = /^(08|57P0[123])/; // connection exception; admin/crash shutdown, cannot connect now
const SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** Whether `error` is a lost or refused database connection (worth a 503 and a retry). */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (SQLSTATE.test(e.code) || SOCKET.has(e.code))) return true;
  return typeof e.message === 'string' && /^Connection terminated/.test(e.message);
}
