// Sync client behaviour on failures a real authority cannot produce on demand (5xx, 429,
// dropped connections, lost acknowledgements): every test injects `fetch`. The end-to-end
// sync against the real authority lives in test/node/authority/.
import { describe, expect, it, vi } from 'vitest';
import { REVOCATION_META, resolveSyncUrl, syncAuditLog, type SignedAuditEntry } from '../src/index.js';
import { memoryLog } from './helpers/bundle.js';

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function injectedFetch(handler: Handler) {
  const calls: { url: string; entries: SignedAuditEntry[] }[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const entries = init.body ? (JSON.parse(String(init.body)).entries as SignedAuditEntry[]) : [];
    calls.push({ url, entries });
    return handler(url, init);
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

const accept = (_url: string, init: RequestInit) => {
  const n = JSON.parse(String(init.body)).entries.length;
  return json(200, { accepted: n, rejected: 0, revocationStatus: 'valid', revokedAt: null, errors: [], newBundle: null });
};

async function logWith(n: number) {
  const { log } = memoryLog();
  for (let i = 0; i < n; i++) await log.append({ action: 'sensor.read', agentDID: 'did:key:z6MkAgent', grantId: 'grnt_test', scopes: ['sensor:read'], result: 'success', metadata: { i } });
  return log;
}

const base = { endpoint: 'http://authority.test', apiKey: 'k_test', bundleId: 'cb_test', retryDelaysMs: [1, 2, 4] };

describe('syncAuditLog (injected fetch)', () => {
  it('uploads the unsynced tail in batches, marks them synced and reports progress', async () => {
    const log = await logWith(250);
    const { fetch, calls } = injectedFetch(accept);
    const progress = vi.fn();
    const result = await syncAuditLog(log, { ...base, fetch, batchSize: 100, onProgress: progress });
    expect(calls.map((c) => c.entries.length)).toEqual([100, 100, 50]);
    expect(calls[0]!.url).toBe('http://authority.test/v1/audit/offline-sync');
    expect(calls[2]!.entries[0]!.seq).toBe(201);
    expect(result).toMatchObject({ syncedCount: 250, accepted: 250, hasErrors: false, revocationStatus: 'valid' });
    expect(await log.unsyncedCount()).toBe(0);
    expect(progress).toHaveBeenLastCalledWith({ synced: 250, total: 250 });
    // Nothing left: with checkRevocation the next sync uploads nothing and only asks for the revocation status.
    const again = injectedFetch(() => json(200, { data: { bundleId: 'cb_test', status: 'active', revokedAt: null } }));
    expect(await syncAuditLog(log, { ...base, fetch: again.fetch, checkRevocation: true })).toMatchObject({ syncedCount: 0, revocationStatus: 'valid' });
    expect(again.calls.map((c) => c.url)).toEqual(['http://authority.test/v1/consent-bundles/cb_test/revocation-status']);
  });

  it('with nothing pending makes no request at all and answers as upstream (no error, revocation unknown), also offline', async () => {
    const offline = injectedFetch(() => {
      throw new TypeError('fetch failed (offline)');
    });
    for (const log of [await logWith(0), await (async () => {
      const l = await logWith(2);
      await l.markSynced(2);
      return l;
    })()]) {
      const started = Date.now();
      const result = await syncAuditLog(log, { ...base, fetch: offline.fetch, retryDelaysMs: [200, 400, 800] });
      expect(result).toEqual({
        syncedCount: 0, hasErrors: false, errors: [], accepted: 0, rejected: 0, revocationStatus: 'unknown', revokedAt: null, newBundle: null, flagged: [], bundleFlags: [],
      });
      expect(Date.now() - started).toBeLessThan(150);
    }
    expect(offline.calls).toEqual([]);
    // checkRevocation: false never asks, even after an upload; true asks, and offline says so.
    const log = await logWith(1);
    const quiet = injectedFetch((url, init) => (url.endsWith('/offline-sync') ? json(200, { accepted: 1, rejected: 0, errors: [] }) : accept(url, init)));
    expect(await syncAuditLog(log, { ...base, fetch: quiet.fetch, checkRevocation: false })).toMatchObject({ syncedCount: 1, revocationStatus: 'unknown', hasErrors: false });
    expect(quiet.calls.map((c) => c.url)).toEqual(['http://authority.test/v1/audit/offline-sync']);
    const asked = await syncAuditLog(log, { ...base, fetch: offline.fetch, checkRevocation: true });
    expect(asked).toMatchObject({ syncedCount: 0, hasErrors: true, revocationStatus: 'unknown' });
    expect(asked.errors[0]).toMatchObject({ code: 'NETWORK_ERROR' });
    await expect(syncAuditLog(log, { ...base, fetch: offline.fetch, checkRevocation: 'yes' as never })).rejects.toBeInstanceOf(TypeError);
  });

  it('retries 5xx and network errors with back-off, then succeeds', async () => {
    const log = await logWith(3);
    let n = 0;
    const { fetch, calls } = injectedFetch((url, init) => {
      n++;
      if (n === 1) throw new TypeError('fetch failed');
      if (n === 2) return json(503, { code: 'UNAVAILABLE' });
      return accept(url, init);
    });
    const result = await syncAuditLog(log, { ...base, fetch });
    expect(calls.length).toBe(3);
    expect(result).toMatchObject({ syncedCount: 3, hasErrors: false });
  });

  it('honours Retry-After on 429', async () => {
    const log = await logWith(1);
    let n = 0;
    const delays: number[] = [];
    const { fetch } = injectedFetch((url, init) => (++n === 1 ? json(429, { code: 'RATE_LIMITED' }, { 'retry-after': '0.05' }) : accept(url, init)));
    const realSetTimeout = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      return realSetTimeout(fn, ms);
    }) as typeof setTimeout);
    await expect(syncAuditLog(log, { ...base, fetch })).resolves.toMatchObject({ syncedCount: 1 });
    expect(delays).toContain(50);
  });

  it('stops after the retries run out and leaves the marker where it was', async () => {
    const log = await logWith(5);
    const { fetch, calls } = injectedFetch(() => json(500, { code: 'INTERNAL' }));
    const result = await syncAuditLog(log, { ...base, fetch });
    expect(calls.filter((c) => c.url.endsWith('/offline-sync')).length).toBe(4);
    expect(result.hasErrors).toBe(true);
    expect(result.errors[0]).toMatchObject({ code: 'HTTP_ERROR', status: 500 });
    expect(await log.unsyncedCount()).toBe(5);
  });

  it('a 400 INVALID_AUDIT_ENTRIES is permanent and reported per seq', async () => {
    const log = await logWith(4);
    const { fetch, calls } = injectedFetch(() =>
      json(400, { code: 'INVALID_AUDIT_ENTRIES', message: 'bad', errors: [{ seq: 3, code: 'INVALID_SIGNATURE', message: 'signature does not verify' }] }),
    );
    const result = await syncAuditLog(log, { ...base, fetch });
    expect(calls.filter((c) => c.url.endsWith('/offline-sync')).length).toBe(1);
    expect(result.errors).toEqual([{ seq: 3, code: 'INVALID_SIGNATURE', message: 'signature does not verify', status: 400 }]);
    expect(await log.unsyncedCount()).toBe(4);
  });

  it('a 400 that says how many entries were stored (partial acceptance) moves the marker over them and reports the refused one', async () => {
    const log = await logWith(5);
    const { fetch, calls } = injectedFetch(() =>
      json(400, {
        code: 'INVALID_AUDIT_ENTRIES', message: 'bad', accepted: 2, rejected: 3, flagged: [{ seq: 2, flags: ['clockAnomaly'] }], bundleFlags: [],
        errors: [{ seq: 3, index: 2, code: 'ENTRY_TOO_LARGE', message: 'too large' }],
      }),
    );
    const result = await syncAuditLog(log, { ...base, fetch });
    expect(calls.filter((c) => c.url.endsWith('/offline-sync')).length).toBe(1);
    expect(result).toMatchObject({ syncedCount: 2, accepted: 2, rejected: 3, hasErrors: true, flagged: [{ seq: 2, flags: ['clockAnomaly'] }] });
    expect(result.errors).toEqual([{ seq: 3, code: 'ENTRY_TOO_LARGE', message: 'too large', status: 400 }]);
    expect(await log.unsyncedCount()).toBe(3);
    // The next sync starts at the refused entry: nothing is skipped.
    const next = injectedFetch(accept);
    await syncAuditLog(log, { ...base, fetch: next.fetch });
    expect(next.calls[0]!.entries[0]!.seq).toBe(3);
  });

  it('a 400 with no accepted count (an older authority) moves nothing', async () => {
    const log = await logWith(3);
    const { fetch } = injectedFetch(() => json(400, { code: 'INVALID_AUDIT_ENTRIES', message: 'bad', errors: [{ seq: 2, code: 'INVALID_HASH', message: 'x' }] }));
    expect(await syncAuditLog(log, { ...base, fetch })).toMatchObject({ syncedCount: 0, hasErrors: true });
    expect(await log.unsyncedCount()).toBe(3);
  });

  it('advances only over the contiguous accepted prefix', async () => {
    const log = await logWith(5);
    const { fetch } = injectedFetch(() => json(200, { accepted: 2, rejected: 3, revocationStatus: 'valid', errors: [{ seq: 3, code: 'DUPLICATE_SEQ', message: 'different hash stored' }] }));
    const result = await syncAuditLog(log, { ...base, fetch });
    expect(result).toMatchObject({ syncedCount: 2, hasErrors: true });
    expect(await log.unsyncedCount()).toBe(3);
  });

  it('a 409 for entries the authority already holds (a lost acknowledgement) counts as accepted', async () => {
    const log = await logWith(3);
    const held = await log.entries();
    const { fetch } = injectedFetch((url) => {
      if (url.endsWith('/audit')) return json(200, { entries: held });
      if (url.endsWith('/revocation-status')) return json(200, { data: { status: 'active', revokedAt: null } });
      return json(409, { code: 'AUDIT_CHAIN_CONFLICT', message: 'head is at 3' });
    });
    const result = await syncAuditLog(log, { ...base, fetch });
    expect(result).toMatchObject({ syncedCount: 3, accepted: 3, hasErrors: false });
  });

  it('a 409 for a different chain is an error and moves nothing', async () => {
    const log = await logWith(2);
    const { fetch } = injectedFetch((url) => (url.endsWith('/audit') ? json(200, { entries: [] }) : json(409, { code: 'AUDIT_CHAIN_CONFLICT', message: 'fork' })));
    const result = await syncAuditLog(log, { ...base, fetch });
    expect(result.errors[0]).toMatchObject({ code: 'AUDIT_CHAIN_CONFLICT', seq: 1 });
    expect(await log.unsyncedCount()).toBe(2);
  });

  it('records a revocation in the log so guards refuse afterwards', async () => {
    const log = await logWith(1);
    const { fetch } = injectedFetch(() => json(200, { data: { accepted: 1, rejected: 0, revocationStatus: 'revoked', revokedAt: '2026-11-22T12:00:00.000Z', errors: [] } }));
    const result = await syncAuditLog(log, { ...base, fetch });
    expect(result).toMatchObject({ revocationStatus: 'revoked', revokedAt: '2026-11-22T12:00:00.000Z' });
    expect(await log.getMeta(REVOCATION_META)).toMatchObject({ bundleId: 'cb_test', revokedAt: '2026-11-22T12:00:00.000Z' });
  });

  it('sends the API key only in the Authorization header', async () => {
    const log = await logWith(1);
    const { fetch } = injectedFetch(accept);
    await syncAuditLog(log, { ...base, fetch });
    const init = (fetch as unknown as { mock: { calls: [string, RequestInit][] } }).mock.calls[0]![1];
    expect((init.headers as Record<string, string>).authorization).toBe('Bearer k_test');
    expect(String(init.body)).not.toContain('k_test');
  });

  it('rejects bad options before any request', async () => {
    const log = await logWith(1);
    const { fetch, calls } = injectedFetch(accept);
    await expect(syncAuditLog(log, { ...base, fetch, batchSize: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(syncAuditLog(log, { ...base, fetch, batchSize: 1001 })).rejects.toBeInstanceOf(RangeError);
    await expect(syncAuditLog(log, { ...base, fetch, endpoint: 'not a url' })).rejects.toBeInstanceOf(TypeError);
    await expect(syncAuditLog(log, { ...base, fetch, apiKey: '' })).rejects.toBeInstanceOf(TypeError);
    expect(calls).toEqual([]);
  });

  it('an abort stops the sync with the signal reason', async () => {
    const log = await logWith(3);
    const controller = new AbortController();
    const { fetch } = injectedFetch(() => {
      controller.abort(new Error('user cancelled'));
      throw new DOMException('aborted', 'AbortError');
    });
    await expect(syncAuditLog(log, { ...base, fetch, signal: controller.signal })).rejects.toThrow('user cancelled');
    expect(await log.unsyncedCount()).toBe(3);
  });
});

describe('resolveSyncUrl', () => {
  it('accepts a base URL or the full sync endpoint', () => {
    expect(resolveSyncUrl('http://a.test')).toBe('http://a.test/v1/audit/offline-sync');
    expect(resolveSyncUrl('http://a.test/base/')).toBe('http://a.test/base/v1/audit/offline-sync');
    expect(resolveSyncUrl('http://a.test/v1/audit/offline-sync')).toBe('http://a.test/v1/audit/offline-sync');
  });
});
