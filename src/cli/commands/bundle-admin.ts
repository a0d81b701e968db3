// `offline-consent bundle list|show|revoke`: the consent bundles issued at the authority.
import type { Command } from 'commander';
import { adminClient, listAll, type AdminOptions } from '../admin/client.js';
import { withAdminOptions } from '../admin/options.js';
import { formatLimitUsage } from '../admin/limit-table.js';
import { formatRecord, formatTable } from '../admin/table.js';
import type { LimitUsage } from '../../guard/limits/ledger.js';
import { CliError, report } from '../output.js';

const COLUMNS = ['bundleId', 'status', 'agentId', 'userId', 'deviceId', 'syncedSeq', 'lastSyncedAt', 'flags'];
const STATUSES = ['active', 'expired', 'revoked', 'suspended'];

/** Registers the operator's `bundle` verbs on the `bundle` command. */
export function registerBundleAdmin(bundle: Command): void {
  withAdminOptions(bundle.command('list').description('bundles issued at the authority, newest first (API key from OFFLINE_CONSENT_API_KEY or --api-key-file)'))
    .option('--status <status>', `only ${STATUSES.join(', ')}`)
    .option('--agent <agentId>', 'only this agent\'s')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (opts: AdminOptions & { status?: string; agent?: string; limit: string }) => {
      if (opts.status && !STATUSES.includes(opts.status)) throw new CliError(`--status must be one of ${STATUSES.join(', ')}`, 2);
      const max = Number(opts.limit);
      if (!Number.isInteger(max) || max < 1) throw new CliError(`invalid --limit ${opts.limit}`, 2);
      const query = new URLSearchParams({ ...(opts.status ? { status: opts.status } : {}), ...(opts.agent ? { agentId: opts.agent } : {}) }).toString();
      const bundles = await listAll(await adminClient(opts), `/v1/consent-bundles${query ? `?${query}` : ''}`, 'bundles', max);
      report(!!opts.json, { bundles }, () => formatTable(bundles, COLUMNS));
    });

  withAdminOptions(bundle.command('show').description('one bundle: status, device, last sync, flags, audit key spans, and its limits with their use').argument('<bundleId>', 'the bundle id (cb_…)'))
    .action(async (bundleId: string, opts: AdminOptions) => {
      const { auditKeySpans, auditPublicKey: _key, limits, ...found } = await (await adminClient(opts)).get(`/v1/consent-bundles/${encodeURIComponent(bundleId)}`);
      const usage = Array.isArray(limits) ? (limits as LimitUsage[]) : [];
      report(!!opts.json, { ...found, auditKeySpans, limits: usage }, () =>
        `${formatRecord(found)}\nauditKeySpans  ${Array.isArray(auditKeySpans) ? auditKeySpans.length : 0} (see --json or audit export)\n${formatLimitUsage(usage)}`);
    });

  withAdminOptions(bundle.command('revoke').description('revoke a bundle: the device refuses every tool call once it next syncs').argument('<bundleId>', 'the bundle id (cb_…)'))
    .option('--grant', 'revoke the underlying grant as well')
    .action(async (bundleId: string, opts: AdminOptions & { grant?: boolean }) => {
      const answer = await (await adminClient(opts)).post(`/v1/consent-bundles/${encodeURIComponent(bundleId)}/revoke`, { revokeGrant: !!opts.grant });
      report(!!opts.json, answer, () => `revoked ${bundleId} at ${String(answer.revokedAt)}; the device learns it at its next sync`);
    });
}
