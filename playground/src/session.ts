// Everything the page does with offline-consent, through its public browser API: provision
// and seal a bundle, reopen it, guard tool calls into an IndexedDB audit log, verify the
// chain, sync, refresh.
import {
  OfflineConsentError, createAgentGuard, createConsentBundle, createOfflineAuditLog, deleteBundle, loadBundle,
  refreshBundle, REVOCATION_META, shouldRefresh, storeBundle, syncAuditLog, verifyChain,
  type AgentGuard, type RevocationRecord, type ConsentBundle, type OfflineAuditLog, type SignedAuditEntry, type SyncProgress, type SyncResult,
} from 'offline-consent';
import { deviceFetch } from './net.js';

const BUNDLE_RECORD = 'playground';
/** Which public key signed which part of the trail: a refresh rotates the audit key. */
const KEYS_META = 'playground.auditKeys';

export interface PlaygroundConfig {
  sessionToken: string;
  agentId: string;
  userId: string;
  scopes: string[];
}

type KeySpan = { fromSeq: number; publicKey: string };

const appBase = () => new URL('/app', location.href).href;

export class Session {
  private constructor(
    readonly bundle: ConsentBundle,
    readonly log: OfflineAuditLog,
    readonly guard: AgentGuard,
  ) {}

  private static async open(bundle: ConsentBundle): Promise<Session> {
    const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: `audit-${bundle.bundleId}` });
    const head = await log.head();
    const spans = (await log.getMeta<KeySpan[]>(KEYS_META)) ?? [];
    if (spans[spans.length - 1]?.publicKey !== bundle.offlineAuditKey.publicKey) {
      await log.setMeta(KEYS_META, [...spans, { fromSeq: (head?.seq ?? 0) + 1, publicKey: bundle.offlineAuditKey.publicKey }]);
    }
    return new Session(bundle, log, createAgentGuard({ bundle, auditLog: log }));
  }

  /** The bundle stored in this browser, or null when there is none. */
  static async restore(): Promise<Session | null> {
    try {
      return await Session.open(await loadBundle(BUNDLE_RECORD));
    } catch (error) {
      if (error instanceof OfflineConsentError && error.code === 'BUNDLE_NOT_FOUND') return null;
      throw error;
    }
  }

  /**
   * Stores `bundle` sealed with the device key, audit key non-extractable, runs `stored` (a
   * session letting go of its log: only once the new bundle is safe), and reopens it from storage.
   */
  private static async keep(bundle: ConsentBundle, stored?: () => Promise<void>): Promise<Session> {
    await storeBundle(bundle, BUNDLE_RECORD, undefined, { keepSigningKeyAsCryptoKey: true });
    await stored?.();
    return Session.open(await loadBundle(BUNDLE_RECORD));
  }

  static async provision(config: PlaygroundConfig, scopes: string[], offlineTTL: string): Promise<Session> {
    const bundle = await createConsentBundle({
      apiKey: config.sessionToken, baseUrl: appBase(), agentId: config.agentId, userId: config.userId,
      scopes, offlineTTL, devicePlatform: 'browser', fetch: deviceFetch, timeoutMs: 15_000,
    });
    return Session.keep(bundle);
  }

  async refresh(config: PlaygroundConfig): Promise<Session> {
    const fresh = await refreshBundle(this.bundle, config.sessionToken, { baseUrl: appBase(), fetch: deviceFetch, timeoutMs: 15_000 });
    return Session.keep(fresh, () => this.log.close()); // if storing fails, this session stays usable
  }

  async forget(): Promise<void> {
    await this.log.close();
    await deleteBundle(BUNDLE_RECORD);
  }

  needsRefresh(now = Date.now()): boolean {
    return shouldRefresh(this.bundle, now);
  }

  async entries(): Promise<SignedAuditEntry[]> {
    return this.log.entries();
  }

  /** Re-checks the whole trail in the page: links, hashes, and each signature with the key of its span. */
  async verifyTrail(): Promise<{ valid: true; count: number } | { valid: false; brokenAt: number; reason: string }> {
    const entries = await this.log.entries();
    const spans = (await this.log.getMeta<KeySpan[]>(KEYS_META)) ?? [];
    const linked = await verifyChain(entries);
    if (!linked.valid) return { valid: false, brokenAt: entries[linked.brokenAt]?.seq ?? linked.brokenAt, reason: linked.reason };
    for (const [i, span] of spans.entries()) {
      const end = spans[i + 1]?.fromSeq ?? Infinity;
      const part = entries.filter((e) => e.seq >= span.fromSeq && e.seq < end);
      const before = entries.find((e) => e.seq === span.fromSeq - 1);
      const checked = await verifyChain(part, { publicKey: span.publicKey, ...(before ? { previous: { seq: before.seq, hash: before.hash } } : {}) });
      if (!checked.valid) return { valid: false, brokenAt: part[checked.brokenAt]?.seq ?? -1, reason: checked.reason };
    }
    return { valid: true, count: entries.length };
  }

  async sync(config: PlaygroundConfig, onProgress: (p: SyncProgress) => void): Promise<SyncResult> {
    return syncAuditLog(this.log, { endpoint: appBase(), apiKey: config.sessionToken, bundleId: this.bundle.bundleId, fetch: deviceFetch, onProgress, retryDelaysMs: [200, 400] });
  }

  /** When the authority said (at a sync) that the grant is revoked, or null. */
  async revocation(): Promise<string | null> {
    const record = await this.log.getMeta<RevocationRecord>(REVOCATION_META);
    return record ? record.revokedAt ?? record.reportedAt : null;
  }

  async unsyncedCount(): Promise<number> {
    return this.log.unsyncedCount();
  }
}

/** The operator, at the authority, revokes the grant; the device learns it at its next sync. */
export async function operatorRevoke(config: PlaygroundConfig, bundleId: string): Promise<{ revokedAt: string }> {
  const res = await fetch(new URL(`/operator/consent-bundles/${encodeURIComponent(bundleId)}/revoke`, location.href), {
    method: 'POST', headers: { authorization: `Bearer ${config.sessionToken}` },
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${body.code}: ${body.message}`);
  return { revokedAt: body.revokedAt ?? body.data?.revokedAt };
}
