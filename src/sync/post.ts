import { parseJsonOrNull } from '../crypto/utf8.js';
import { retryAfterMs, sleep } from './retry.js';

export type PostOutcome =
  | { ok: true; status: number; body: unknown; requestId: string | null }
  | { ok: false; code: 'NETWORK_ERROR' | 'HTTP_ERROR' | 'TIMEOUT'; status?: number; message: string; body?: unknown };

/** One request as sent: what a credential signs (device proofs bind method, URL and body). */
export interface Attempt {
  method: string;
  url: string;
  body?: string;
}

/** The credential headers of one attempt, made afresh for every attempt (a device proof is single use). */
export type HeadersFor = (attempt: Attempt) => Promise<Record<string, string>>;

/** The `Authorization` header an API key makes. */
export const bearer = (apiKey: string): HeadersFor => async () => ({ authorization: `Bearer ${apiKey}` });

export interface RequestOptions {
  headers: HeadersFor;
  fetch: typeof globalThis.fetch;
  signal: AbortSignal | undefined;
  retryDelaysMs: readonly number[];
  /** Per attempt: an attempt taking longer counts as failed (`TIMEOUT`) and is retried. */
  timeoutMs?: number | undefined;
}

/** One attempt as `fetch` takes it: JSON both ways, the credential headers made for exactly this method, URL and body. */
export async function prepareAttempt(url: string, method: string, body: string | undefined, headers: HeadersFor): Promise<RequestInit> {
  const withBody = body === undefined ? {} : { body };
  const credential = await headers({ method, url, ...withBody });
  return { method, headers: { ...credential, 'content-type': 'application/json', accept: 'application/json' }, ...withBody };
}

/**
 * Sends one request, retrying network errors, 5xx and 429 (honouring Retry-After) with
 * back-off; credential headers are made afresh for every attempt. Any other answer,
 * success or not, is returned for the caller to judge.
 */
export async function requestWithRetry(url: string, init: { method: string; body?: string }, options: RequestOptions): Promise<PostOutcome> {
  const delays = options.retryDelaysMs;
  let last: PostOutcome = { ok: false, code: 'NETWORK_ERROR', message: 'no attempt made' };
  for (let attempt = 0; attempt <= delays.length; attempt++) {
    let wait = delays[attempt];
    const timeout = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
    const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const request = await prepareAttempt(url, init.method, init.body, options.headers);
    try {
      const res = await options.fetch(url, { ...request, ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}) });
      const body = parseJsonOrNull(await res.text());
      if (res.status !== 429 && res.status < 500) return { ok: true, status: res.status, body, requestId: res.headers.get('x-request-id') };
      const hinted = res.status === 429 ? retryAfterMs(res.headers.get('retry-after')) : undefined;
      if (wait !== undefined && hinted !== undefined) wait = Math.max(wait, hinted);
      last = { ok: false, code: 'HTTP_ERROR', status: res.status, message: `authority answered ${res.status}`, body };
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      last = timeout?.aborted
        ? { ok: false, code: 'TIMEOUT', message: `the authority did not answer within ${options.timeoutMs} ms` }
        : { ok: false, code: 'NETWORK_ERROR', message: error instanceof Error ? error.message : String(error) };
    }
    if (wait === undefined) break;
    await sleep(wait, options.signal);
  }
  return last;
}
