import type { Command } from 'commander';
import { decodeJwt } from 'jose';
import { redeemEnrollment, storeBundle } from '../../node.js';
import { joinUrl, requestAuthority } from '../../bundle/lifecycle/request.js';
import { bearer } from '../../sync/post.js';
import { readApiKey } from '../api-key.js';
import { readBundleKey } from '../bundle-key.js';
import { collect, LIMIT_SYNTAX, parseLimitSpecs } from '../limit-spec.js';
import { report } from '../output.js';
import { describeLimit } from '../../authority/limits/describe-limit.js';

interface EnrollOptions {
  url: string;
  agent: string;
  user: string;
  scopes: string;
  ttl: string;
  maxLifetime: string;
  codeTtl: string;
  limit?: string[];
  apiKeyFile?: string;
  json?: boolean;
}

/** `offline-consent enroll`: the operator (with the API key) mints a one-time enrollment code. */
export function registerEnroll(program: Command): void {
  program
    .command('enroll')
    .description('mint a one-time enrollment code for a device (API key from OFFLINE_CONSENT_API_KEY or --api-key-file)')
    .requiredOption('--url <url>', 'authority base URL')
    .requiredOption('--agent <id>', 'agent id')
    .requiredOption('--user <id>', 'user id')
    .requiredOption('--scopes <a,b>', 'comma-separated scopes')
    .option('--ttl <duration>', 'offline window of the bundle', '72h')
    .option('--max-lifetime <duration>', 'no refresh after this long from redemption', '30d')
    .option('--code-ttl <duration>', 'how long the code can be redeemed', '10m')
    .option('--limit <spec>', `a limit on one scope, signed into the grant (repeatable): ${LIMIT_SYNTAX}`, collect)
    .option('--api-key-file <file>', 'file holding the API key (mode 600)')
    .option('--json', 'machine-readable output')
    .action(async (opts: EnrollOptions) => {
      const scopes = opts.scopes.split(',').map((s) => s.trim()).filter(Boolean);
      const limits = parseLimitSpecs(opts.limit ?? [], scopes); // before the key is read: a typo costs nothing
      const apiKey = await readApiKey(opts.apiKeyFile);
      const body = { agentId: opts.agent, userId: opts.user, scopes, offlineTTL: opts.ttl, maxLifetime: opts.maxLifetime, codeTTL: opts.codeTtl, ...(limits.length ? { limits } : {}) };
      const e = await requestAuthority(joinUrl(opts.url, '/v1/enrollments'), { method: 'POST', body }, bearer(apiKey), {});
      const out = { code: e.code, enrollmentId: e.enrollmentId, expiresAt: e.expiresAt, scopes: e.scopes, limits: e.limits ?? [] };
      const limitLines = limits.map((l) => `\nlimit        ${l.scope}: ${describeLimit(l)}`).join('');
      report(!!opts.json, out, () => `code         ${String(e.code)}\nenrollment   ${String(e.enrollmentId)}\nexpires      ${String(e.expiresAt)}${limitLines}`);
    });

  program
    .command('device')
    .description('device tools')
    .command('enroll')
    .description('redeem an enrollment code on this device and store the bundle sealed (key: OFFLINE_CONSENT_BUNDLE_KEY, systemd credential, or prompt)')
    .requiredOption('--url <url>', 'authority base URL')
    .requiredOption('--code <code>', 'the enrollment code')
    .requiredOption('--bundle <file>', 'where to store the sealed bundle')
    .option('--device-id <id>', 'recorded on the bundle')
    .option('--json', 'machine-readable output')
    .action(async (opts: { url: string; code: string; bundle: string; deviceId?: string; json?: boolean }) => {
      const key = await readBundleKey(); // before redeeming: a code is single use
      const bundle = await redeemEnrollment({ baseUrl: opts.url, code: opts.code, ...(opts.deviceId ? { deviceId: opts.deviceId } : {}) });
      await storeBundle(bundle, opts.bundle, key);
      const scopes = decodeJwt(bundle.grantToken).scp;
      const out = { bundleId: bundle.bundleId, scopes, offlineExpiresAt: bundle.offlineExpiresAt, file: opts.bundle };
      report(!!opts.json, out, () => `bundle       ${bundle.bundleId}\nscopes       ${Array.isArray(scopes) ? scopes.join(', ') : String(scopes)}\ndeadline     ${bundle.offlineExpiresAt}\nstored       ${opts.bundle}`);
    });
}
