import { AuthorityError } from '../../errors.js';
import type { ConsentBundle } from '../types.js';
import { validateBundle } from '../validate.js';

/** Transport options every lifecycle call takes. */
export interface RequestOptions {
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
  /** Give up after this long (default 30 s) with `TIMEOUT`; covers the answer's body too. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Joins a base URL and a path, tolerating a trailing slash on the base. */
export function joinUrl(baseUrl: string, path: string): string {
  if (typeof baseUrl !== 'string' || !URL.canParse(baseUrl)) throw new TypeError('baseUrl must be the authority URL, e.g. http://127.0.0.1:8787');
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/** Cuts every secret out of text the server chose, so a key it echoes never reaches an error message or log. */
function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, secret) => (secret ? t.split(secret).join('[redacted]') : t), text);
}

/** No answer (or half of one): the caller's abort reason, `TIMEOUT`, or `NETWORK_ERROR`. */
function transportFailure(cause: unknown, options: RequestOptions, timeout: AbortSignal, ms: number, status?: number): unknown {
  if (options.signal?.aborted) return options.signal.reason;
  const details = { cause, ...(status === undefined ? {} : { status }) };
  if (timeout.aborted) return new AuthorityError(`The authority did not answer within ${ms} ms`, 'TIMEOUT', details);
  const what = status === undefined ? 'could not be reached' : `dropped the connection mid-answer (HTTP ${status})`;
  return new AuthorityError(`The authority ${what}: ${(cause as Error)?.message ?? String(cause)}`, 'NETWORK_ERROR', details);
}

/**
 * POSTs to the authority and returns the bundle it answers with, validated. Failures are
 * `AuthorityError`s: the server's status, code, message and request id; `NETWORK_ERROR`
 * and `TIMEOUT` when there is no answer. The API key (and any `secrets`) never appear in a message.
 */
export async function postForBundle(url: string, apiKey: string, body: unknown, options: RequestOptions, secrets: readonly string[] = []): Promise<ConsentBundle> {
  if (typeof apiKey !== 'string' || apiKey.length === 0) throw new TypeError('apiKey is required');
  const ms = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError('timeoutMs must be a positive number of milliseconds');
  const timeout = AbortSignal.timeout(ms);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let res: Response;
  let text: string;
  try {
    res = await (options.fetch ?? globalThis.fetch)(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal,
    });
  } catch (cause) {
    throw transportFailure(cause, options, timeout, ms);
  }
  try {
    text = await res.text();
  } catch (cause) {
    throw transportFailure(cause, options, timeout, ms, res.status);
  }
  let json: Record<string, unknown> | null = null;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    json = null;
  }
  const requestId = (typeof json?.requestId === 'string' ? json.requestId : undefined) ?? res.headers.get('x-request-id') ?? undefined;
  if (!res.ok) {
    const hidden = [apiKey, ...secrets];
    const code = typeof json?.code === 'string' ? redact(json.code, hidden) : `HTTP_${res.status}`;
    const message = typeof json?.message === 'string' ? redact(json.message, hidden) : `The authority answered ${res.status}`;
    throw new AuthorityError(`${message} (HTTP ${res.status}, ${code})`, code, { status: res.status, ...(requestId ? { requestId } : {}) });
  }
  const data = json && typeof json.data === 'object' && json.data !== null ? json.data : json;
  return validateBundle(data);
}
