import { AuthorityError } from '../../errors.js';
import type { ConsentBundle } from '../types.js';
import { validateBundle } from '../validate.js';

/** Transport options every lifecycle call takes. */
export interface RequestOptions {
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
  /** Give up after this long (default 30 s) with `TIMEOUT`. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Joins a base URL and a path, tolerating a trailing slash on the base. */
export function joinUrl(baseUrl: string, path: string): string {
  if (typeof baseUrl !== 'string' || !URL.canParse(baseUrl)) throw new TypeError('baseUrl must be the authority URL, e.g. http://127.0.0.1:8787');
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/**
 * POSTs to the authority and returns the bundle it answers with, validated. Failures are
 * `AuthorityError`s: the server's status, code, message and request id; `NETWORK_ERROR`
 * and `TIMEOUT` when there is no answer. The API key never appears in a message.
 */
export async function postForBundle(url: string, apiKey: string, body: unknown, options: RequestOptions): Promise<ConsentBundle> {
  if (typeof apiKey !== 'string' || apiKey.length === 0) throw new TypeError('apiKey is required');
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await (options.fetch ?? globalThis.fetch)(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal,
    });
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) throw new AuthorityError(`The authority did not answer within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`, 'TIMEOUT', { cause });
    throw new AuthorityError(`The authority could not be reached: ${(cause as Error).message}`, 'NETWORK_ERROR', { cause });
  }
  const text = await res.text().catch(() => '');
  let json: Record<string, unknown> | null = null;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    json = null;
  }
  const requestId = (typeof json?.requestId === 'string' ? json.requestId : undefined) ?? res.headers.get('x-request-id') ?? undefined;
  if (!res.ok) {
    const code = typeof json?.code === 'string' ? json.code : `HTTP_${res.status}`;
    const message = typeof json?.message === 'string' ? json.message : `The authority answered ${res.status}`;
    throw new AuthorityError(`${message} (HTTP ${res.status}, ${code})`, code, { status: res.status, ...(requestId ? { requestId } : {}) });
  }
  const data = json && typeof json.data === 'object' && json.data !== null ? json.data : json;
  return validateBundle(data);
}
