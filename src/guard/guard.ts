import { GrantRevokedError, OfflineConsentError, OfflineExpiredError, ScopeViolationError, ToolExecutionError } from '../errors.js';
import { ruleError, snapshotMetadata } from '../audit/check-entry.js';
import { entryViolations } from '../audit/entry-rules.js';
import type { AuditEntry, AuditResult } from '../audit/types.js';
import { enforceScopes } from '../verifier/scopes.js';
import { defaultVerifier, type VerifiedGrant } from '../verifier/verify.js';
import { REVOCATION_META, type RevocationRecord } from '../sync/revocation.js';
import { readGrantIdentity } from './identity.js';
import type { GrantLimit } from '../verifier/limits.js';
import { assertNoSecrets } from './secrets.js';
import type { AgentGuard, AgentGuardOptions, LimitEnforcer, LimitUse, RunOptions } from './types.js';

function resultFor(error: unknown): AuditResult {
  return error instanceof ScopeViolationError || (error as OfflineConsentError).code === 'LIMIT_EXCEEDED' ? 'scope_violation' : 'auth_failure';
}

/**
 * The one place the policy lives: before every tool call, check revocation, the offline
 * deadline, the grant and the scopes on a clock that cannot run backwards past the audit
 * trail; then run the tool and append what happened. Every entry carries the bundle's
 * agent and grant, so the authority accepts denied calls at sync too.
 *
 * @example
 * ```ts
 * import { createAgentGuard, createOfflineAuditLog, loadBundle } from 'offline-consent/node';
 *
 * const bundle = await loadBundle('bundle.bin', process.env.OFFLINE_CONSENT_BUNDLE_KEY!);
 * const guard = createAgentGuard({ bundle, auditLog: createOfflineAuditLog({ bundle, logPath: 'audit.jsonl' }) });
 * const celsius = await guard.run('sensor.read', ['sensor:read'], () => 21.5, { metadata: { room: 'kitchen' } });
 * declare function setHeating(on: boolean): void;
 * const setHeat = guard.wrap(setHeating, { requiredScopes: ['heating:write'] }); // audited as action 'setHeating'
 * await setHeat(true);
 * ```
 */
export function createAgentGuard(options: AgentGuardOptions): AgentGuard {
  const { bundle, auditLog } = options;
  const clock = options.clock ?? Date.now;
  const identity = readGrantIdentity(bundle.grantToken);
  const secrets = [bundle.grantToken];
  const deadline = Date.parse(bundle.offlineExpiresAt);
  let floor = 0;
  const now = () => Math.max(clock(), floor);
  const verifier = options.verifier ?? defaultVerifier(bundle.jwksSnapshot, now);

  async function refreshFloor(): Promise<number> {
    const head = await auditLog.head();
    const last = head ? Date.parse(head.timestamp) : NaN;
    if (Number.isFinite(last) && last > floor) floor = last;
    return now();
  }

  async function check(requiredScopes: string[]): Promise<VerifiedGrant> {
    const at = await refreshFloor();
    const revoked = await auditLog.getMeta<RevocationRecord>(REVOCATION_META);
    if (revoked) throw new GrantRevokedError(revoked.revokedAt ?? null);
    // Fail closed on an unparsable deadline, and whatever the token's own exp says.
    if (!(at <= deadline)) throw new OfflineExpiredError(bundle.offlineExpiresAt);
    const grant = await verifier.verify(bundle.grantToken);
    enforceScopes(grant.scopes, requiredScopes);
    return grant;
  }

  /** The entry the guard writes. Only scopes the bundle holds go on it (the authority rejects others); the full request goes in metadata. */
  function entryFor(action: string, requiredScopes: string[], result: AuditResult, metadata?: Record<string, unknown>): AuditEntry {
    const scopes = requiredScopes.filter((s) => identity.scopes.includes(s));
    const extra = scopes.length === requiredScopes.length ? {} : { requestedScopes: [...requiredScopes] };
    const meta = { ...extra, ...metadata };
    return { action, agentDID: identity.agentDID, grantId: identity.grantId, scopes, result, ...(Object.keys(meta).length > 0 ? { metadata: meta } : {}) };
  }

  /**
   * Appends a failure entry, kept within the entry rules whatever the caller passed: a refusal
   * is recorded even when its metadata (or the requested scopes) would be too large or deep.
   */
  async function recordFailure(action: string, requiredScopes: string[], result: AuditResult, metadata: Record<string, unknown> | undefined, error: string) {
    let entry = entryFor(action, requiredScopes, result, { ...metadata, error });
    const broken = entryViolations(entry).find((v) => v.field.startsWith('metadata'));
    if (broken) entry = { ...entry, metadata: { error, metadataRefused: broken.rule } };
    return auditLog.append(entry);
  }

  let enforcer: Promise<LimitEnforcer> | undefined;

  /** The enforcer, loaded once; without one, a grant with limits is refused where they apply. */
  function enforcerFor(limits: readonly GrantLimit[] | null): Promise<LimitEnforcer> {
    if (!options.limits) throw new OfflineConsentError('The grant has limits: pass { limits: enforceLimits }', 'LIMITS_UNENFORCED');
    return (enforcer ??= options.limits(auditLog, limits));
  }

  async function checked(action: string, requiredScopes: string[], runOptions: RunOptions = {}): Promise<{ grant: VerifiedGrant; metadata: Record<string, unknown> | undefined; use: LimitUse | undefined }> {
    if (typeof action !== 'string' || action.length === 0) throw new TypeError('action must be a non-empty string');
    if (!Array.isArray(requiredScopes) || !requiredScopes.every((s) => typeof s === 'string')) throw new TypeError('requiredScopes must be an array of strings');
    const badAction = entryViolations({ action }).find((v) => v.field === 'action');
    if (badAction) throw ruleError(badAction); // such an action cannot be recorded, so it does not run
    // One plain copy, read once: what the secret check sees is exactly what is hashed and written.
    let meta = runOptions.metadata === undefined ? undefined : snapshotMetadata(runOptions.metadata);
    if (meta !== undefined) assertNoSecrets(meta, secrets);
    let grant: VerifiedGrant;
    let use: LimitUse | undefined;
    try {
      grant = await check(requiredScopes);
      // Read from the token the verifier has just verified (as it reads them), so any verifier (upstream's) will do.
      const { limits } = identity;
      if (!limits || limits.some((l) => requiredScopes.includes(l.scope))) {
        // Checked and counted with no await in between, so concurrent calls cannot overspend.
        use = (await enforcerFor(limits)).take(requiredScopes, runOptions.args, now(), secrets);
        if (use.args) meta = { ...meta, limitArgs: use.args };
      }
    } catch (error) {
      const code = error instanceof OfflineConsentError ? error.code : 'UNKNOWN';
      await recordFailure(action, requiredScopes, resultFor(error), meta, code);
      throw error;
    }
    // A success entry breaking the rules would fail after the tool ran; found now, it fails the call once the grant is checked.
    const broken = entryViolations(entryFor(action, requiredScopes, 'success', meta));
    if (broken.length > 0) {
      use?.release();
      throw ruleError(broken[0]!, broken.length - 1);
    }
    return { grant, metadata: meta, use };
  }

  /** Appends the outcome of a call that ran; its limit use moves to the entry's time (or stays where it was if the append failed). */
  async function ran(action: string, requiredScopes: string[], result: AuditResult, metadata: Record<string, unknown> | undefined, use: LimitUse | undefined, error?: string) {
    // A success entry was checked against the rules before the tool ran; a failure entry is kept within them here.
    const signed = await (error === undefined ? auditLog.append(entryFor(action, requiredScopes, result, metadata)) : recordFailure(action, requiredScopes, result, metadata, error));
    use?.settle(Date.parse(signed.timestamp));
  }

  const guard: AgentGuard = {
    async authorize(action, requiredScopes, options) {
      const { grant, metadata, use } = await checked(action, requiredScopes, options);
      await ran(action, requiredScopes, 'success', metadata, use);
      return grant;
    },

    async run<T>(action: string, requiredScopes: string[], fn: (grant: VerifiedGrant) => T | Promise<T>, runOptions: RunOptions = {}) {
      const { grant, metadata, use } = await checked(action, requiredScopes, runOptions);
      let value: T;
      try {
        value = await fn(grant);
      } catch (cause) {
        await ran(action, requiredScopes, 'execution_error', metadata, use, cause instanceof Error ? String(cause.name).slice(0, 128) : 'Error');
        throw cause instanceof OfflineConsentError ? cause : new ToolExecutionError(action, cause);
      }
      await ran(action, requiredScopes, 'success', metadata, use);
      return value;
    },

    wrap<A extends unknown[], R>(tool: (...args: A) => R, { requiredScopes, action }: { requiredScopes: string[]; action?: string }) {
      const name = action ?? (tool.name || 'tool');
      return (...args: A) => guard.run(name, requiredScopes, async (): Promise<Awaited<R>> => await tool(...args));
    },

    now: refreshFloor,

    async usage() {
      await check([]);
      return identity.limits?.length === 0 ? [] : (await enforcerFor(identity.limits)).usage(now());
    },
  };
  return guard;
}
