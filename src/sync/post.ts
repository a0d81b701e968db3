import { retryAfterMs, sleep } from './retry.js';

export type PostOutcome =
  | { ok: true; status: number; body: unknown; requestId: string | null }
  | { ok: false; code: 'NETWORK_ERROR' | 'HTTP_ERROR'; status?: number; message: string; body?: unknown };

export interface RequestOptions {
  apiKey: string;
  fetch: typeof globalThis.fetch;
  signal: AbortSignal | undefined;
  retryDelaysMs: readonly number[];
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/**
 * Sends one request, retrying network errors, 5xx and 429 (honouring Retry-After) with
 * back-off. Any other answer, success or not, is returned for the caller to judge.
 */
export async function requestWithRetry(url: string, init: { method: string; body?: string }, options: RequestOptions): Promise<PostOutcome> {
  const delays = options.retryDelaysMs;
  let last: PostOutcome = { ok: false, code: 'NETWORK_ERROR', message: 'no attempt made' };
  for (let attempt = 0; attempt <= delays.length; attempt++) {
    let wait = delays[attempt];
    try {
      const res = await options.fetch(url, {
        method: init.method,
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
        ...(init.body === undefined ? {} : { body: init.body }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const body = await readJson(res);
      if (res.status !== 429 && res.status < 500) return { ok: true, status: res.status, body, requestId: res.headers.get('x-request-id') };
      const hinted = res.status === 429 ? retryAfterMs(res.headers.get('retry-after')) : undefined;
      if (wait !== undefined && hinted !== undefined) wait = Math.max(wait, hinted);
      last = { ok: false, code: 'HTTP_ERROR', status: res.status, message: `authority answered ${res.status}`, body };
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      last = { ok: false, code: 'NETWORK_ERROR', message: error instanceof Error ? error.message : String(error) };
    }
    if (wait === undefined) break;
    await sleep(wait, options.signal);
  }
  return last;
}
