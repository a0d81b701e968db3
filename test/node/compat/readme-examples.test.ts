// Upstream's README examples (@grantex/gemma 0.1.1: Quick Start phases 1–3, the verifier,
// refresh, audit, adapters, error handling and troubleshooting sections), re-typed as tests and
// run against this package with the real frameworks and a real authority on loopback. Each
// differs from upstream's text only where MIGRATING.md says so: the import line, `baseUrl`
// (no vendor default), file paths, and an `await` on the audit helpers.
import { FunctionTool } from '@google/adk';
import { tool } from '@langchain/core/tools';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BundleTamperedError,
  HashChainError,
  OfflineVerificationError,
  ScopeViolationError,
  TokenExpiredError,
  createConsentBundle,
  createOfflineAuditLog,
  createOfflineVerifier,
  enforceScopes,
  hasScope,
  isSnapshotExpired,
  loadBundle,
  refreshBundle,
  shouldRefresh,
  storeBundle,
  syncAuditLog,
  verifyChain,
  verifyEntrySignature,
  withGrantexAuthADK,
  withGrantexAuthLangChain,
  type ConsentBundle,
  type OfflineAuditLog,
} from 'offline-consent';
import { initAuthority, startAuthority, type RunningAuthority } from 'offline-consent/authority';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

let dir: string;
let server: RunningAuthority;
let baseUrl: string;
const env: Record<string, string> = {};
const agents: Record<string, string> = {}; // upstream's example ids → the ids our authority gave
const logs: OfflineAuditLog[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oc-readme-'));
  const location = { dataDir: join(dir, 'db') };
  env.GRANTEX_API_KEY = (await initAuthority(location)).apiKey;
  env.ENCRYPTION_KEY = 'correct horse battery staple';
  server = await startAuthority({ ...location, rateLimits: false });
  baseUrl = server.url;
  for (const [agentId, scopes] of [
    ['agent_gemma_01', ['calendar:read', 'email:send', 'files:read', 'files:write']],
    ['agent_gemma_field', ['sensor:read', 'actuator:write']],
  ] as const) {
    const res = await fetch(`${baseUrl}/v1/agents`, { method: 'POST', headers: { Authorization: `Bearer ${env.GRANTEX_API_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: agentId, scopes }) });
    expect(res.status).toBe(201);
    agents[agentId] = ((await res.json()) as { agentId: string }).agentId;
  }
});
afterAll(async () => {
  await Promise.all(logs.map((l) => l.close()));
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const path = (name: string) => join(dir, name);

describe("upstream README, Quick Start", () => {
  let bundle: ConsentBundle;
  let auditLog: OfflineAuditLog;

  it('Phase 1 — online: issue a consent bundle and persist it encrypted', async () => {
    bundle = await createConsentBundle({
      apiKey: env.GRANTEX_API_KEY!,
      baseUrl, // upstream defaults to its cloud; we have no vendor default
      agentId: agents.agent_gemma_01!,
      userId: 'user_alice',
      scopes: ['calendar:read', 'email:send'],
      offlineTTL: '72h',
    });
    await storeBundle(bundle, path('bundle.enc'), env.ENCRYPTION_KEY!);
    expect(Date.parse(bundle.offlineExpiresAt) - Date.now()).toBeGreaterThan(71 * 3_600_000);
  });

  it('Phase 2 — offline: load, verify, and log an action', async () => {
    const bundle = await loadBundle(path('bundle.enc'), env.ENCRYPTION_KEY!);
    const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, requireScopes: ['calendar:read'], maxDelegationDepth: 2 });
    const grant = await verifier.verify(bundle.grantToken);
    expect([grant.agentDID, grant.scopes, grant.expiresAt instanceof Date]).toEqual([expect.stringMatching(/^did:/), ['calendar:read', 'email:send'], true]);
    auditLog = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: path('audit.jsonl') });
    logs.push(auditLog);
    const entry = await auditLog.append({ action: 'tool:read_calendar', agentDID: grant.agentDID, grantId: grant.grantId, scopes: grant.scopes, result: 'success', metadata: { eventCount: 5 } });
    expect(entry).toMatchObject({ seq: 1, prevHash: '0000000000000000', action: 'tool:read_calendar' });
  });

  it('Phase 3 — online: sync the log, with endpoint: bundle.syncEndpoint as the README passes it', async () => {
    const result = await syncAuditLog(auditLog, { endpoint: bundle.syncEndpoint, apiKey: env.GRANTEX_API_KEY!, bundleId: bundle.bundleId, batchSize: 100 });
    expect(result).toMatchObject({ syncedCount: 1, hasErrors: false, errors: [] });
    expect(await auditLog.unsyncedCount()).toBe(0);
  });
});

describe('upstream README, API reference examples', () => {
  it('without baseUrl (upstream defaults to its cloud): a TypeError naming baseUrl, before any request; refreshBundle defaults to the bundle\'s own authority', async () => {
    const options = { apiKey: env.GRANTEX_API_KEY!, agentId: agents.agent_gemma_01!, userId: 'user_alice', scopes: ['calendar:read'] };
    await expect(createConsentBundle(options as never)).rejects.toThrow(new TypeError('baseUrl must be the authority URL, e.g. http://127.0.0.1:8787'));
    const bundle = await createConsentBundle({ ...options, baseUrl });
    const refreshed = await refreshBundle(bundle, env.GRANTEX_API_KEY!); // upstream's two-argument form: our authority, read from bundle.syncEndpoint
    expect(refreshed.bundleId).toBe(bundle.bundleId);
  });

  it('createOfflineVerifier with requireScopes, clockSkewSeconds and maxDelegationDepth; hasScope', async () => {
    const bundle = await createConsentBundle({ apiKey: env.GRANTEX_API_KEY!, baseUrl, agentId: agents.agent_gemma_01!, userId: 'usr_01J', scopes: ['files:read', 'files:write'], offlineTTL: '24h' });
    const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, requireScopes: ['files:read'], clockSkewSeconds: 60, maxDelegationDepth: 3 });
    const grant = await verifier.verify(bundle.grantToken);
    expect(grant.scopes).toEqual(['files:read', 'files:write']);
    expect(grant.grantId).toMatch(/\S/);
    expect([hasScope(grant.scopes, 'files:write'), hasScope(grant.scopes, 'email:send')]).toEqual([true, false]);
  });

  it("createConsentBundle for a field agent, offlineTTL '7d'; shouldRefresh → refreshBundle → storeBundle", async () => {
    const bundle = await createConsentBundle({ apiKey: env.GRANTEX_API_KEY!, baseUrl, agentId: agents.agent_gemma_field!, userId: 'usr_01J', scopes: ['sensor:read', 'actuator:write'], offlineTTL: '7d' });
    expect(shouldRefresh(bundle)).toBe(false);
    // Once less than 20% of the offline window remains, refresh; the README's exact lines, with baseUrl:
    const aging = { ...bundle, checkpointAt: Date.now() - 30 * 86_400_000 };
    expect(shouldRefresh(aging)).toBe(true);
    if (shouldRefresh(aging)) {
      const refreshed = await refreshBundle(bundle, env.GRANTEX_API_KEY!, baseUrl);
      await storeBundle(refreshed, path('field.enc'), env.ENCRYPTION_KEY!);
      expect(refreshed.offlineAuditKey.publicKey).not.toBe(bundle.offlineAuditKey.publicKey);
    }
    expect((await loadBundle(path('field.enc'), env.ENCRYPTION_KEY!)).bundleId).toBe(bundle.bundleId);
  });

  it('verifyChain and verifyEntrySignature, awaited (they return Promises here)', async () => {
    const bundle = await createConsentBundle({ apiKey: env.GRANTEX_API_KEY!, baseUrl, agentId: agents.agent_gemma_01!, userId: 'user_alice', scopes: ['calendar:read'] });
    const auditLog = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: path('chain.jsonl') });
    logs.push(auditLog);
    const entry = await auditLog.append({ action: 'tool:read_calendar', agentDID: 'did:x', grantId: 'g', scopes: ['calendar:read'], result: 'success' });
    const { valid, brokenAt } = await verifyChain(await auditLog.entries());
    const sigValid = await verifyEntrySignature(entry, bundle.offlineAuditKey.publicKey);
    expect([valid, brokenAt, sigValid]).toEqual([true, undefined, true]);
    const relabelled = { ...entry, action: 'tool:send_email' };
    expect(await verifyEntrySignature(relabelled, bundle.offlineAuditKey.publicKey)).toBe(true); // the signature covers the hash; verifyChain catches the edit
    expect(await verifyChain([relabelled])).toMatchObject({ valid: false, brokenAt: 0 });
    expect(await verifyEntrySignature({ ...entry, hash: entry.hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) }, bundle.offlineAuditKey.publicKey)).toBe(false);
  });
});

describe('upstream README, Adapters (root imports, real frameworks)', () => {
  it('withGrantexAuthADK over an ADK FunctionTool and withGrantexAuthLangChain over a LangChain tool', async () => {
    const bundle = await createConsentBundle({ apiKey: env.GRANTEX_API_KEY!, baseUrl, agentId: agents.agent_gemma_01!, userId: 'user_alice', scopes: ['calendar:read', 'email:send'] });
    const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot });
    const auditLog = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: path('adapters.jsonl') });
    logs.push(auditLog);
    const myAdkTool = new FunctionTool({ name: 'read_calendar', description: 'Reads the calendar', parameters: z.object({ day: z.string() }), execute: ({ day }) => ({ day, events: 3 }) });
    const myLangChainTool = tool(async ({ folder }: { folder: string }) => `2 unread in ${folder}`, { name: 'read_email', description: 'Reads email', schema: z.object({ folder: z.string() }) });

    const protectedAdkTool = withGrantexAuthADK(myAdkTool, { verifier, auditLog, requiredScopes: ['calendar:read'], grantToken: bundle.grantToken });
    const protectedLcTool = withGrantexAuthLangChain(myLangChainTool, { verifier, auditLog, requiredScopes: ['email:read'], grantToken: bundle.grantToken });

    expect(await protectedAdkTool.runAsync({ args: { day: 'mon' }, toolContext: undefined as never })).toEqual({ day: 'mon', events: 3 });
    await expect(protectedLcTool.invoke({ folder: 'inbox' })).rejects.toBeInstanceOf(ScopeViolationError); // the grant has email:send, not email:read
    expect((await auditLog.entries()).map((e) => [e.action, e.result])).toEqual([['tool:read_calendar', 'success'], ['tool:read_email', 'scope_violation']]);
    const result = await syncAuditLog(auditLog, { endpoint: bundle.syncEndpoint, apiKey: env.GRANTEX_API_KEY!, bundleId: bundle.bundleId });
    expect(result).toMatchObject({ syncedCount: 2, hasErrors: false }); // the authority takes the adapters' trail as is
  });
});

describe('upstream README, Error Handling and Troubleshooting', () => {
  it('the error-handling block reaches the right branch for each failure', async () => {
    const bundle = await createConsentBundle({ apiKey: env.GRANTEX_API_KEY!, baseUrl, agentId: agents.agent_gemma_01!, userId: 'user_alice', scopes: ['files:read'] });
    const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot });
    const branch = async (token: string) => {
      try {
        const grant = await verifier.verify(token);
        enforceScopes(grant.scopes, ['files:write']);
      } catch (err) {
        if (err instanceof TokenExpiredError) return `expired at ${err.expiredAt.toISOString()}`;
        else if (err instanceof ScopeViolationError) return `missing: required ${err.requiredScopes}, got ${err.grantScopes}`;
        else if (err instanceof OfflineVerificationError) return `[${err.code}]`;
        else if (err instanceof BundleTamperedError) return 'tampered';
        else if (err instanceof HashChainError) return `broken at ${err.brokenAt}`;
      }
      return 'ok';
    };
    expect(await branch(bundle.grantToken)).toBe('missing: required files:write, got files:read');
    expect(await branch(`${bundle.grantToken.slice(0, -6)}AAAAAA`)).toBe('[VERIFICATION_FAILED]');
    expect(await branch('not.a.token')).toBe('[MALFORMED_TOKEN]');
    await expect(loadBundle(path('bundle.enc'), 'the wrong key')).rejects.toBeInstanceOf(BundleTamperedError);
  });

  it('isSnapshotExpired, and clockSkewSeconds: 120 for a device clock two minutes behind', async () => {
    const bundle = await createConsentBundle({ apiKey: env.GRANTEX_API_KEY!, baseUrl, agentId: agents.agent_gemma_01!, userId: 'user_alice', scopes: ['files:read'] });
    expect(isSnapshotExpired(bundle.jwksSnapshot)).toBe(false);
    expect(isSnapshotExpired({ ...bundle.jwksSnapshot, validUntil: new Date(Date.now() - 1000).toISOString() })).toBe(true);
    const behind = () => Date.now() - 100_000; // the token's iat is 100 s in this clock's future
    await expect(createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, now: behind }).verify(bundle.grantToken)).rejects.toMatchObject({ code: 'FUTURE_IAT' });
    const verifier = createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot, clockSkewSeconds: 120, now: behind });
    expect((await verifier.verify(bundle.grantToken)).scopes).toEqual(['files:read']);
  });
});
