// Everything the page does with offline-consent, through its public browser API: redeem the
// backend's one-time enrollment code at the authority (the audit key is made here and never
// leaves: a non-extractable CryptoKey), seal the bundle, reopen it, guard tool calls into an
// IndexedDB audit log, verify the chain with its key spans, and sync, refresh and check
// revocation with signed device calls. The grant's limits are enforced by the guard and counted
// from the trail in IndexedDB, so a reload keeps their use. No API key and no session token reach the authority.
import {
  LIMITS_CLAIM, OfflineConsentError, RefreshOutcomeUnknownError, parseLimits, readGrantIdentity, createAgentGuard, enforceLimits, createOfflineAuditLog, deleteBundle, loadBundle, redeemEnrollment,
  refreshBundle, REVOCATION_META, revocationStatus, shouldRefresh, storeBundle, syncAuditLog, verifyChain,
  type AgentGuard, type GrantLimit, type LimitUsage, type RefreshRetry, type RevocationRecord, type RevocationStatus, type ConsentBundle, type OfflineAuditLog, type SignedAuditEntry, type SyncProgress, type SyncResult,
} from 'offline-consent';
import { askForEnrollmentCode } from './backend.js';
import { deviceFetch } from './net.js';

const BUNDLE_RECORD = 'playground';

/** The limits signed into a grant token, for display (the guard verifies the token and enforces them itself). */
function limitsIn(grantToken: string): readonly GrantLimit[] {
  try {
    const payload = grantToken.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))));
    return parseLimits(claims[LIMITS_CLAIM], readGrantIdentity(grantToken).scopes);
  } catch {
    return []; // unreadable limits: the guard refuses the grant, and says so
  }
}

export interface PlaygroundConfig {
  /** The authority, on its own origin: the page calls it directly. */
  authorityUrl: string;
  userId: string;
  scopes: string[];
}

export class Session {
  private constructor(
    readonly bundle: ConsentBundle,
    readonly log: OfflineAuditLog,
    readonly guard: AgentGuard,
  ) {}

  /** The grant's limits, in the order `LimitExceededError.index` and the audit entries' `limitIndex` count them. */
  get limits(): readonly GrantLimit[] {
    return limitsIn(this.bundle.grantToken);
  }

  private static open(bundle: ConsentBundle, log?: OfflineAuditLog): Session {
    // The spans the authority listed seed a log that has none recorded yet; after that the log's own (rekeyed at refresh) win.
    const auditLog = log ?? createOfflineAuditLog({
      signingKey: bundle.offlineAuditKey, logPath: `audit-${bundle.bundleId}`, ...(bundle.auditKeySpans ? { keySpans: bundle.auditKeySpans } : {}),
    });
    return new Session(bundle, auditLog, createAgentGuard({ bundle, auditLog, limits: enforceLimits }));
  }

  /** The bundle stored in this browser, or null when there is none. */
  static async restore(): Promise<Session | null> {
    try {
      return Session.open(await loadBundle(BUNDLE_RECORD));
    } catch (error) {
      if (error instanceof OfflineConsentError && error.code === 'BUNDLE_NOT_FOUND') return null;
      throw error;
    }
  }

  /** Stores `bundle` sealed with the device key, audit key as a non-extractable CryptoKey, and reopens it from storage. */
  private static async keep(bundle: ConsentBundle, log?: OfflineAuditLog): Promise<Session> {
    await storeBundle(bundle, BUNDLE_RECORD, undefined, { keepSigningKeyAsCryptoKey: true });
    return Session.open(await loadBundle(BUNDLE_RECORD), log);
  }

  /** Consent: the backend mints a code for these scopes and limits; the page redeems it with a key it makes itself. */
  static async provision(scopes: string[], offlineTTL: string, limits: GrantLimit[] = []): Promise<Session> {
    const { code, authorityUrl } = await askForEnrollmentCode(scopes, offlineTTL, limits);
    const bundle = await redeemEnrollment({ baseUrl: authorityUrl, code, extractable: false, fetch: deviceFetch, timeoutMs: 15_000 });
    return Session.keep(bundle);
  }

  /** A refresh that got no answer: the next one must repeat it exactly (a different new key for the same head forks the bundle). */
  private unanswered: RefreshRetry | undefined;

  /** Syncs, then rotates the audit key at the authority; the log carries on with the new key's span. */
  async refresh(): Promise<Session> {
    let fresh: ConsentBundle;
    try {
      fresh = await refreshBundle(this.bundle, { log: this.log, fetch: deviceFetch, timeoutMs: 15_000, ...(this.unanswered ? { retry: this.unanswered } : {}) });
    } catch (error) {
      if (error instanceof RefreshOutcomeUnknownError) this.unanswered = error.retry;
      throw error;
    }
    this.unanswered = undefined;
    return Session.keep(fresh, this.log);
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
    const checked = await verifyChain(entries, { keys: await this.log.keySpans() });
    return checked.valid ? { valid: true, count: entries.length } : { valid: false, brokenAt: entries[checked.brokenAt]?.seq ?? checked.brokenAt, reason: checked.reason };
  }

  /** Sends the unsynced entries, each request signed with this device's audit key; always asks the revocation status (the page shows it). */
  async sync(onProgress: (p: SyncProgress) => void): Promise<SyncResult> {
    return syncAuditLog(this.log, { bundle: this.bundle, fetch: deviceFetch, onProgress, retryDelaysMs: [200, 400], checkRevocation: true });
  }

  /** Asks the authority itself (a signed device call); a revocation is kept where the guard reads it, as a sync would. */
  async checkRevocation(): Promise<RevocationStatus> {
    const status = await revocationStatus(this.bundle, { fetch: deviceFetch, timeoutMs: 15_000 });
    if (status.status === 'revoked') {
      const record: RevocationRecord = { bundleId: this.bundle.bundleId, revokedAt: status.revokedAt, reportedAt: new Date().toISOString() };
      await this.log.setMeta(REVOCATION_META, record);
    }
    return status;
  }

  /** When the authority said (at a sync or a status check) that the grant is revoked, or null. */
  async revocation(): Promise<string | null> {
    const record = await this.log.getMeta<RevocationRecord>(REVOCATION_META);
    return record ? record.revokedAt ?? record.reportedAt : null;
  }

  /**
   * Where each of the grant's limits stands, from the guard (which counts them from the trail);
   * null when the guard cannot say (a revoked or expired grant: it then refuses every call anyway).
   */
  async usage(): Promise<LimitUsage[] | null> {
    try {
      return await this.guard.usage();
    } catch (error) {
      if (error instanceof OfflineConsentError) return null;
      throw error;
    }
  }

  async unsyncedCount(): Promise<number> {
    return this.log.unsyncedCount();
  }
}
