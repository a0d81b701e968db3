import type { AuditSigningKey } from '../../audit/signing-key.js';
import { generateAuditKeyPair } from '../../crypto/ed25519.js';
import { AuthorityError } from '../../errors.js';
import { deviceProofHeaders, type ProofHead } from '../../device/proof.js';
import { withPrivateKey } from '../../device/redeem.js';
import type { AuditHead } from '../../audit/audit-store.js';
import { authorityBaseUrl, bundlePath } from '../../sync/endpoint.js';
import { requestWithRetry } from '../../sync/post.js';
import { DEFAULT_RETRY_DELAYS_MS } from '../../sync/retry.js';
import { proofHead, syncAuditLog } from '../../sync/sync.js';
import type { SyncableAuditLog } from '../../sync/types.js';
import type { ConsentBundle } from '../types.js';
import { answerData, joinUrl, refusal, type RequestOptions } from './request.js';

/** The exact request a refresh whose outcome is unknown must repeat: the same head and the same new key. */
export interface RefreshRetry {
  /** The log head the lost request stated. */
  head: ProofHead;
  /** The new audit key pair the lost request sent (its public half) and must keep. */
  keyPair: { publicKey: string; privateKey: string | CryptoKey };
}

/** What a device refresh needs from its audit log (the library's log satisfies it). */
export interface RekeyableAuditLog extends SyncableAuditLog {
  /** Changes the signing key while holding the log (see {@link OfflineAuditLog.rekey}). */
  rekey(run: (head: AuditHead | null) => Promise<AuditSigningKey>): Promise<void>;
}

/** Options of a device refresh (`refreshBundle(bundle, { log })`): no API key, device proofs only. */
export interface DeviceRefreshOptions extends RequestOptions {
  /** The device's audit log: synced first, then held while the key changes. */
  log: RekeyableAuditLog;
  /** Default: the bundle's own authority. */
  baseUrl?: string;
  /** Back-off before each retry (default 200, 400, 800 ms); each attempt is signed afresh. */
  retryDelaysMs?: readonly number[];
  /** From a `REFRESH_OUTCOME_UNKNOWN` error: repeat exactly that request (same key, same head). */
  retry?: RefreshRetry;
}

/** A device refresh got no answer: the authority may or may not have switched keys. `retry` repeats it exactly. */
export class RefreshOutcomeUnknownError extends AuthorityError {
  /** Pass as `refreshBundle(bundle, { log, retry })` to repeat the very same request. */
  readonly retry: RefreshRetry;
  constructor(message: string, retry: RefreshRetry) {
    super(`The refresh got no answer (${message}); repeat it with refreshBundle(bundle, { log, retry: error.retry })`, 'REFRESH_OUTCOME_UNKNOWN');
    this.name = 'RefreshOutcomeUnknownError';
    this.retry = retry;
  }
}

const sameHead = (a: ProofHead, b: ProofHead) => a.seq === b.seq && a.hash === b.hash;

/** See `refreshBundle`'s device path. */
export async function refreshDevice(bundle: ConsentBundle, options: DeviceRefreshOptions): Promise<ConsentBundle> {
  const { log, retry } = options;
  const fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const transport = { fetch, retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS, ...(options.signal ? { signal: options.signal } : {}) };
  const base = options.baseUrl ?? authorityBaseUrl(bundle.syncEndpoint);
  const url = joinUrl(base, `${bundlePath(bundle.bundleId)}/refresh`);
  // A retry skips the sync: if the lost answer was applied, the old key no longer signs a sync.
  if (!retry) await syncAuditLog(log, { bundle, endpoint: base, ...transport });
  let fresh: ConsentBundle | undefined;
  await log.rekey(async () => {
    const head = await proofHead(log);
    if ((await log.unsyncedCount()) > 0) throw new AuthorityError('The audit log has unsynced entries; sync before refreshing', 'SYNC_REQUIRED');
    if (retry && !sameHead(retry.head, head)) throw new TypeError('retry.head is not the log head: only the very request that got no answer can be repeated');
    const keyPair = retry?.keyPair ?? (await generateAuditKeyPair(typeof bundle.offlineAuditKey.privateKey === 'string'));
    const answer = await requestWithRetry(url, { method: 'POST', body: JSON.stringify({ auditPublicKey: keyPair.publicKey }) }, {
      signal: undefined,
      ...transport,
      headers: deviceProofHeaders(bundle, () => head),
      timeoutMs: options.timeoutMs ?? 30_000,
    });
    if (!answer.ok) {
      if (answer.status === 429) throw refusal(429, answer.body, null, [bundle.grantToken]);
      throw new RefreshOutcomeUnknownError(answer.message, { head, keyPair });
    }
    if (answer.status !== 200) throw refusal(answer.status, answer.body, answer.requestId, [bundle.grantToken]);
    fresh = withPrivateKey(answerData(answer.body), keyPair.privateKey);
    if (fresh.offlineAuditKey.publicKey.trim() !== keyPair.publicKey.trim()) throw new AuthorityError('The authority answered with an audit key this device did not send', 'INVALID_BUNDLE');
    return { publicKey: keyPair.publicKey, privateKey: keyPair.privateKey };
  });
  return fresh!;
}
