import { AuthorityError } from '../../errors.js';
import { parseJsonOrNull } from '../../crypto/utf8.js';
import { bearer, prepareAttempt, type HeadersFor } from '../../sync/post.js';
import type { ConsentBundle } from '../types.js';
import { validateBundle } from '../validate.js';

/** Transport options every lifecycle call takes. */
export interface RequestOptions {
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: typeof globalThis.fetch;
  /** Aborts the call; the error is then the signal's reason. */
  signal?: AbortSignal;
  /** Give up after this long (default 30 s) with `TIMEOUT`; covers the answer's body too. */
  timeoutMs?: number;
}

/** How a request proves who sends it: the developer's API key, or per-attempt headers (a device proof; none for a redeem). */
export type Credential = string | HeadersFor;

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

/** The `AuthorityError` for a refusal: the server's status, code, message and request id, secrets cut out. */
export function refusal(status: number, body: unknown, requestId: string | null | undefined, hidden: readonly string[]): AuthorityError {
  const json = (body ?? {}) as Record<string, unknown>;
  const id = (typeof json.requestId === 'string' ? json.requestId : undefined) ?? requestId ?? undefined;
  const code = typeof json.code === 'string' ? redact(json.code, hidden) : `HTTP_${status}`;
  const message = typeof json.message === 'string' ? redact(json.message, hidden) : `The authority answered ${status}`;
  return new AuthorityError(`${message} (HTTP ${status}, ${code})`, code, { status, ...(id ? { requestId: id } : {}) });
}

/** A success body's fields: under `data` when present, else at the top level. */
export function answerData(body: unknown): Record<string, unknown> {
  const json = (body ?? {}) as Record<string, unknown>;
  return (json.data && typeof json.data === 'object' ? json.data : json) as Record<string, unknown>;
}

/**
 * Sends one request to the authority and returns its answer's data. Failures are
 * `AuthorityError`s: the server's status, code, message and request id; `NETWORK_ERROR`
 * and `TIMEOUT` when there is no answer. The API key (and any `secrets`) never appear in a message.
 */
export async function requestAuthority(
  url: string,
  init: { method: string; body?: unknown },
  credential: Credential,
  options: RequestOptions,
  secrets: readonly string[] = [],
): Promise<Record<string, unknown>> {
  if (credential === '' || (typeof credential !== 'string' && typeof credential !== 'function')) throw new TypeError('apiKey is required');
  const ms = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError('timeoutMs must be a positive number of milliseconds');
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const request = await prepareAttempt(url, init.method, body, typeof credential === 'string' ? bearer(credential) : credential);
  const timeout = AbortSignal.timeout(ms);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let res: Response;
  let text: string;
  try {
    res = await (options.fetch ?? globalThis.fetch)(url, { ...request, signal });
  } catch (cause) {
    throw transportFailure(cause, options, timeout, ms);
  }
  try {
    text = await res.text();
  } catch (cause) {
    throw transportFailure(cause, options, timeout, ms, res.status);
  }
  const json = parseJsonOrNull(text);
  if (!res.ok) throw refusal(res.status, json, res.headers.get('x-request-id'), [...(typeof credential === 'string' ? [credential] : []), ...secrets]);
  return answerData(json);
}

/** POSTs to the authority and returns the bundle it answers with, validated (see `requestAuthority`). */
export async function postForBundle(url: string, credential: Credential, body: unknown, options: RequestOptions, secrets: readonly string[] = []): Promise<ConsentBundle> {
  return validateBundle(await requestAuthority(url, { method: 'POST', body }, credential, options, secrets));
}
