import { GENESIS_HASH } from '../audit/hash.js';
import { isJsonObject } from '../crypto/utf8.js';
import { answerData } from '../bundle/lifecycle/request.js';
import type { SignedAuditEntry } from '../audit/types.js';
import { deviceProofHeaders } from '../device/proof.js';
import { authorityBaseUrl, resolveSyncUrl } from './endpoint.js';
import { bearer, requestWithRetry, type HeadersFor, type RequestOptions } from './post.js';
import { DEFAULT_RETRY_DELAYS_MS } from './retry.js';
import { REVOCATION_META, type RevocationRecord } from './revocation.js';
import type { SyncError, SyncOptions, SyncResult, SyncableAuditLog } from './types.js';

/** The server's limit on entries per sync request. */
export const MAX_BATCH_SIZE = 1000;

type Answer = Record<string, unknown>;

function serverErrors(value: unknown, status?: number): SyncError[] {
  if (!Array.isArray(value)) return [];
  return value.map((e: Answer) => ({
    ...(typeof e.seq === 'number' ? { seq: e.seq } : {}),
    code: typeof e.code === 'string' ? e.code : 'UNKNOWN',
    message: typeof e.message === 'string' ? e.message : 'rejected by the authority',
    ...(status === undefined ? {} : { status }),
  }));
}

/** The `flagged` list of an answer, only well-formed items. */
function flaggedOf(value: unknown): { seq: number; flags: string[] }[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((f: unknown): f is Answer => isJsonObject(f) && Number.isSafeInteger(f.seq) && Array.isArray(f.flags))
    .map((f: Answer) => ({ seq: f.seq as number, flags: (f.flags as unknown[]).filter((x): x is string => typeof x === 'string') }));
}

async function readBatch(log: SyncableAuditLog, fromSeq: number, limit: number): Promise<SignedAuditEntry[]> {
  const batch: SignedAuditEntry[] = [];
  for await (const entry of log.read({ fromSeq, limit })) {
    batch.push(entry);
    if (batch.length >= limit) break;
  }
  return batch;
}

/** How many leading entries of `batch` the authority already stores with the same hash. */
async function storedPrefix(base: string, bundleId: string, batch: SignedAuditEntry[], req: RequestOptions): Promise<number> {
  const answer = await requestWithRetry(`${base}/v1/consent-bundles/${encodeURIComponent(bundleId)}/audit`, { method: 'GET' }, req);
  if (!answer.ok || answer.status !== 200) return 0;
  const stored = new Map<number, string>();
  const entries = answerData(answer.body).entries;
  if (Array.isArray(entries)) for (const e of entries as Answer[]) stored.set(e.seq as number, e.hash as string);
  let n = 0;
  while (n < batch.length && stored.get(batch[n]!.seq) === batch[n]!.hash) n++;
  return n;
}

/** The log head as a device proof states it (seq 0 and the genesis hash when empty). */
export async function proofHead(log: Pick<SyncableAuditLog, 'head'>): Promise<{ seq: number; hash: string }> {
  const head = await log.head();
  if (head && typeof head.hash !== 'string') throw new TypeError('log.head() must give { seq, hash }');
  return head ? { seq: head.seq, hash: head.hash! } : { seq: 0, hash: GENESIS_HASH };
}

/**
 * Uploads the log's unsynced entries in batches. With `apiKey`, every request carries it;
 * without, `bundle` signs every attempt with a device proof (`OC-Device-Proof`, PROTOCOL.md
 * §8; the sync proof states the log head) and gives the default `bundleId` and `endpoint`. The synced marker only ever covers a
 * contiguous prefix the authority acknowledged — including the `accepted` prefix of a batch
 * refused with 400 for a later entry; the first batch that still fails after retries stops the
 * sync. Entries the authority flagged are listed in `flagged`. A `revoked` answer is recorded in the log (`setMeta(REVOCATION_META, …)`).
 * With nothing pending no request is made (`revocationStatus: 'unknown'`), as upstream; pass
 * `checkRevocation: true` to ask the authority anyway (or call `revocationStatus(bundle)`).
 *
 * @example
 * ```ts
 * import { syncAuditLog, type ConsentBundle, type OfflineAuditLog } from 'offline-consent';
 *
 * declare const log: OfflineAuditLog, bundle: ConsentBundle;
 * // A device: each request signed with a device proof. A backend passes { endpoint, apiKey, bundleId } instead.
 * const result = await syncAuditLog(log, { bundle, onProgress: ({ synced, total }) => console.log(`${synced}/${total}`) });
 * if (result.hasErrors) console.error(result.errors);
 * if (result.revocationStatus === 'revoked') console.warn('revoked: every guard on this log now refuses');
 * ```
 */
export async function syncAuditLog(log: SyncableAuditLog, options: SyncOptions): Promise<SyncResult> {
  const { bundle } = options;
  const endpoint = options.endpoint ?? bundle?.syncEndpoint;
  const bundleId = options.bundleId ?? bundle?.bundleId;
  if (typeof endpoint !== 'string') throw new TypeError('endpoint (or bundle) is required');
  const syncUrl = resolveSyncUrl(endpoint);
  const base = authorityBaseUrl(syncUrl);
  const batchSize = options.batchSize ?? 100;
  if (options.checkRevocation !== undefined && typeof options.checkRevocation !== 'boolean') throw new TypeError('checkRevocation must be a boolean');
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batchSize must be an integer from 1 to ${MAX_BATCH_SIZE}`);
  }
  if (typeof bundleId !== 'string' || bundleId.length === 0) throw new TypeError('bundleId is required');
  let headers: HeadersFor;
  let syncHeaders: HeadersFor;
  if (options.apiKey !== undefined) {
    if (typeof options.apiKey !== 'string' || options.apiKey.length === 0) throw new TypeError('apiKey must be a non-empty string');
    headers = syncHeaders = bearer(options.apiKey);
  } else if (bundle) {
    headers = deviceProofHeaders(bundle);
    syncHeaders = deviceProofHeaders(bundle, () => proofHead(log));
  } else throw new TypeError('apiKey or bundle is required');
  const req: RequestOptions = {
    headers,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    signal: options.signal,
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
  };
  const result: SyncResult = {
    syncedCount: 0, accepted: 0, rejected: 0, hasErrors: false, errors: [], revocationStatus: 'unknown', revokedAt: null, newBundle: null, flagged: [], bundleFlags: [],
  };
  /** What every answer may say besides its entries: flags and the revocation status. */
  const note = (data: Answer) => {
    result.flagged.push(...flaggedOf(data.flagged));
    if (Array.isArray(data.bundleFlags)) result.bundleFlags = data.bundleFlags.filter((f): f is string => typeof f === 'string');
    if (data.revocationStatus === 'revoked' || data.revocationStatus === 'valid') result.revocationStatus = data.revocationStatus;
    if (typeof data.revokedAt === 'string') result.revokedAt = data.revokedAt;
  };
  const fail = (error: SyncError) => {
    result.errors.push(error);
    result.hasErrors = true;
  };
  const total = await log.unsyncedCount();
  let synced = ((await log.head())?.seq ?? 0) - total;
  const advance = async (seq: number) => {
    if (seq <= synced) return;
    await log.markSynced(seq);
    result.syncedCount += seq - synced;
    synced = seq;
    options.onProgress?.({ synced: result.syncedCount, total });
  };

  let requests = 0;
  for (;;) {
    const batch = await readBatch(log, synced + 1, batchSize);
    if (batch.length === 0) break;
    const lastSeq = batch[batch.length - 1]!.seq;
    requests++;
    const body = JSON.stringify({ bundleId, ...(options.deviceId ? { deviceId: options.deviceId } : {}), entries: batch });
    const answer = await requestWithRetry(syncUrl, { method: 'POST', body }, { ...req, headers: syncHeaders });
    if (!answer.ok) {
      fail({ code: answer.code, message: answer.message, ...(answer.status ? { status: answer.status } : {}) });
      break;
    }
    const data = answerData(answer.body);
    if (answer.status === 409 && data.code === 'AUDIT_CHAIN_CONFLICT') {
      // A lost acknowledgement: the authority may already hold exactly these entries.
      const held = await storedPrefix(base, bundleId, batch, req);
      if (held > 0) {
        result.accepted += held;
        await advance(batch[held - 1]!.seq);
      }
      if (held === batch.length) continue;
      fail({ code: 'AUDIT_CHAIN_CONFLICT', message: String(data.message ?? 'the authority holds a different chain'), status: 409, seq: batch[held]!.seq });
      break;
    }
    if (answer.status !== 200) {
      // A refused entry: the authority stored the `accepted` entries before it (partial acceptance), so they are synced.
      const stored = Number(data.accepted);
      if (answer.status === 400 && Number.isSafeInteger(stored) && stored > 0 && stored <= batch.length) {
        result.accepted += stored;
        note(data);
        await advance(batch[stored - 1]!.seq);
      }
      if (answer.status === 400 && Number.isSafeInteger(Number(data.rejected))) result.rejected += Number(data.rejected);
      const perEntry = serverErrors(data.errors, answer.status);
      if (perEntry.length > 0) perEntry.forEach(fail);
      else fail({ code: String(data.code ?? 'HTTP_ERROR'), message: String(data.message ?? `authority answered ${answer.status}`), status: answer.status });
      break;
    }
    const accepted = Number(data.accepted ?? 0);
    result.accepted += accepted;
    result.rejected += Number(data.rejected ?? 0);
    note(data);
    if (data.newBundle) result.newBundle = data.newBundle;
    const errors = serverErrors(data.errors, 200);
    errors.forEach(fail);
    const firstBad = Math.min(...errors.map((e) => e.seq ?? batch[0]!.seq));
    // Only a contiguous acknowledged prefix moves the marker.
    const ackUpTo = errors.length > 0 ? firstBad - 1 : accepted >= batch.length ? lastSeq : batch[0]!.seq + accepted - 1;
    await advance(Math.min(ackUpTo, lastSeq));
    if (ackUpTo < lastSeq) {
      if (errors.length === 0) fail({ code: 'INCOMPLETE_ACK', message: `authority accepted ${accepted} of ${batch.length} entries`, status: 200 });
      break;
    }
  }

  // Nothing to upload makes no request at all (upstream's answer: syncedCount 0, no errors) unless
  // `checkRevocation: true`; after an upload whose answers did not say, the status is asked directly.
  const askRevocation = options.checkRevocation ?? requests > 0;
  if (askRevocation && result.revocationStatus === 'unknown') {
    const answer = await requestWithRetry(`${base}/v1/consent-bundles/${encodeURIComponent(bundleId)}/revocation-status`, { method: 'GET' }, req);
    if (answer.ok && answer.status === 200) {
      const data = answerData(answer.body);
      if (data.status === 'revoked' || data.grantRevoked === true) result.revocationStatus = 'revoked';
      else if (typeof data.status === 'string') result.revocationStatus = 'valid';
      if (typeof data.revokedAt === 'string') result.revokedAt = data.revokedAt;
    } else if (!result.hasErrors) {
      fail(answer.ok ? { code: 'REVOCATION_STATUS_UNAVAILABLE', message: `authority answered ${answer.status}`, status: answer.status } : { code: answer.code, message: answer.message });
    }
  }
  if (result.revocationStatus === 'revoked') {
    const record: RevocationRecord = { bundleId, revokedAt: result.revokedAt, reportedAt: new Date().toISOString() };
    await log.setMeta?.(REVOCATION_META, record);
  }
  return result;
}
