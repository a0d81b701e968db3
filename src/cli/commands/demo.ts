import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  createAgentGuard,
  createOfflineAuditLog,
  createOfflineVerifier,
  loadBundle,
  OfflineConsentError,
  redeemEnrollment,
  refreshBundle,
  storeBundle,
  syncAuditLog,
  verifyChain,
} from '../../node.js';
import { createProgress } from '../progress.js';
import { report } from '../output.js';

const ACTIONS = 1000;
const PASSPHRASE = 'demo passphrase — use a real secret or the device key';

/** Runs `fn`, returning its value and the milliseconds it took. */
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, Math.round(performance.now() - t0)];
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the whole story on this machine: authority, consent, offline actions, sync, revocation')
    .option('--actions <n>', 'guarded actions to run offline', String(ACTIONS))
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { actions: string; json?: boolean }) => {
      const actions = Number(opts.actions);
      if (!Number.isInteger(actions) || actions < 1) throw new TypeError('--actions must be a positive integer');
      const human = !opts.json;
      const say = (line: string) => human && process.stdout.write(`${line}\n`);
      const { startAuthority, generateApiKey } = await import('../../authority/index.js');
      const dir = await mkdtemp(join(tmpdir(), 'offline-consent-demo-'));
      const timings: Record<string, number> = {};
      try {
        const apiKey = generateApiKey();
        const dataDir = join(dir, 'authority-db');
        let [server, ms] = await timed(() => startAuthority({ dataDir, apiKey, rateLimits: false }));
        timings.authorityStartMs = ms;
        const port = server.port;
        say(`1. authority up at ${server.url} (embedded PGlite in ${dataDir}, ${ms} ms)`);

        const api = async (method: string, path: string, body?: unknown) => {
          const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
          return (await res.json()) as Record<string, any>;
        };
        const agent = await api('POST', '/v1/agents', { name: 'greenhouse-pi', scopes: ['sensor:read', 'thermostat:write', 'email:send'] });
        // The developer's backend holds the API key and mints a one-time code; the device never sees the key.
        const enrollment = await api('POST', '/v1/enrollments', { agentId: agent.agentId, userId: 'user_alice', scopes: ['sensor:read', 'thermostat:write'], offlineTTL: '72h' });
        const [issued, provisionMs] = await timed(() => redeemEnrollment({ baseUrl: server.url, code: enrollment.code }));
        const bundlePath = join(dir, 'bundle.bin');
        const [, sealMs] = await timed(() => storeBundle(issued, bundlePath, PASSPHRASE));
        timings.provisionMs = provisionMs;
        timings.sealMs = sealMs;
        say(`2. agent ${agent.did} registered; the backend minted enrollment code ${enrollment.code.slice(0, 8)}… (single use, 10 min)`);
        say(`   the device redeemed it with a key pair it made itself: bundle ${issued.bundleId} for sensor:read, thermostat:write (${provisionMs} ms)`);
        say(`   sealed to ${bundlePath} with AES-256-GCM, key from PBKDF2-SHA-256 × 600,000 (${sealMs} ms); no API key on the device`);

        await server.close();
        say('3. authority stopped: the device is offline now');

        const bundle = await loadBundle(bundlePath, PASSPHRASE);
        const grant = await createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot }).verify(bundle.grantToken);
        say(`4. grant verified offline: ${grant.agentDID} may ${grant.scopes.join(', ')} until ${grant.expiresAt.toISOString()}`);
        const logPath = join(dir, 'audit.jsonl');
        const log = createOfflineAuditLog({ bundle, logPath }); // its key, key spans and a required high-water mark
        const guard = createAgentGuard({ bundle, auditLog: log });
        const counts = { allowed: 0, denied: 0 };
        const bar = createProgress('   guarded actions', actions, human);
        const [, actMs] = await timed(async () => {
          for (let i = 0; i < actions; i++) {
            // Every 97th request asks for a scope the user never granted.
            const denied = i % 97 === 96;
            await guard
              .run(denied ? 'email.send' : 'sensor.read', [denied ? 'email:send' : 'sensor:read'], () => 20 + (i % 7) / 2, { metadata: { i } })
              .then(() => counts.allowed++, () => counts.denied++);
            bar.update(i + 1);
          }
        });
        bar.stop();
        timings.actionsMs = actMs;
        say(`5. ${actions} guarded actions offline in ${actMs} ms (${Math.round(actions / (actMs / 1000))}/s, each fsynced): ${counts.allowed} allowed, ${counts.denied} denied — all in the signed hash chain`);

        // Same port: the bundle names this authority's URL (its syncEndpoint), and proofs are bound to it.
        [server, ms] = await timed(() => startAuthority({ dataDir, apiKey, rateLimits: false, port }));
        say(`6. back online: authority restarted at ${server.url} (${ms} ms)`);
        const syncBar = createProgress('   syncing', actions, human);
        const [first, syncMs] = await timed(() => syncAuditLog(log, { bundle, onProgress: ({ synced, total }) => syncBar.update(synced, total) }));
        syncBar.stop();
        timings.syncMs = syncMs;
        if (first.hasErrors) throw new Error(`sync failed: ${JSON.stringify(first.errors)}`);
        say(`7. synced ${first.syncedCount} entries in ${syncMs} ms, each request signed by the device's own key (revocation: ${first.revocationStatus})`);

        const [fresh, refreshMs] = await timed(() => refreshBundle(bundle, { log }));
        await storeBundle(fresh, bundlePath, PASSPHRASE);
        timings.refreshMs = refreshMs;
        const spans = await log.keySpans();
        say(`8. refreshed (${refreshMs} ms): new token, new deadline ${fresh.offlineExpiresAt}, and a new audit key from seq ${spans[spans.length - 1]!.fromSeq}`);
        const freshGuard = createAgentGuard({ bundle: fresh, auditLog: log });
        await freshGuard.run('thermostat.set', ['thermostat:write'], () => 21, { metadata: { celsius: 21 } });
        await syncAuditLog(log, { bundle: fresh });
        const stored: any[] = [];
        for (let page: Record<string, any> = { nextAfterSeq: 0 }; page.nextAfterSeq !== null; ) {
          page = await api('GET', `/v1/consent-bundles/${bundle.bundleId}/audit?afterSeq=${page.nextAfterSeq}`);
          stored.push(...page.entries);
        }
        const check = await verifyChain(stored, { keys: spans });
        say(`   the authority holds ${stored.length} entries; re-verified over both key spans: chain ${check.valid ? 'valid' : 'BROKEN'}`);

        await api('POST', `/v1/consent-bundles/${bundle.bundleId}/revoke`, { revokeGrant: true });
        // Nothing new to upload: without checkRevocation the sync would make no request at all.
        const second = await syncAuditLog(log, { bundle: fresh, checkRevocation: true });
        say(`9. the user revoked consent; the next sync says: ${second.revocationStatus}`);
        const halted = await freshGuard.run('sensor.read', ['sensor:read'], () => 0).then(
          () => 'still running (unexpected)',
          (e: unknown) => (e instanceof OfflineConsentError ? e.code : String(e)),
        );
        say(`10. the agent's next action is refused: ${halted}`);
        await log.close();
        await server.close();
        const ok = check.valid && stored.length === actions + 1 && second.revocationStatus === 'revoked' && halted === 'GRANT_REVOKED' && first.syncedCount === actions;
        report(!!opts.json, { ok, actions, ...counts, synced: first.syncedCount, revocation: second.revocationStatus, halted, ...timings }, () =>
          ok ? `\n✓ demo complete — offline authorization, audit and revocation all worked` : `\n✗ demo finished with a problem`,
        );
        if (!ok) process.exitCode = 1;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
}
