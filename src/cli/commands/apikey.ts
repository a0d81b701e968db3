// `offline-consent apikey create|list|revoke`: the developer's API keys at the authority.
import type { Command } from 'commander';
import { adminClient, type AdminOptions } from '../admin/client.js';
import { withAdminOptions } from '../admin/options.js';
import { formatRecord, formatTable } from '../admin/table.js';
import { report } from '../output.js';

/** Registers the `apikey` verbs. */
export function registerApiKey(program: Command): void {
  const apikey = program.command('apikey').description('the developer\'s API keys (using one from OFFLINE_CONSENT_API_KEY or --api-key-file)');

  withAdminOptions(apikey.command('create').description('a new API key, printed once (store it in a 0600 file or a secret store)'))
    .action(async (opts: AdminOptions) => {
      const created = await (await adminClient(opts)).post('/v1/api-keys');
      report(!!opts.json, created, () => `${formatRecord(created)}\nThis is the only time the key is shown.`);
    });

  withAdminOptions(apikey.command('list').description('key ids and dates (never a key); "current" is the one this command used'))
    .action(async (opts: AdminOptions) => {
      const { apiKeys } = await (await adminClient(opts)).get('/v1/api-keys');
      const rows = (apiKeys as Record<string, unknown>[]).map((k) => ({ ...k, current: k.current ? 'yes' : '' }));
      report(!!opts.json, { apiKeys }, () => formatTable(rows, ['keyId', 'createdAt', 'revokedAt', 'current']));
    });

  withAdminOptions(apikey.command('revoke').description('revoke a key: refused at once by every instance sharing the database').argument('<keyId>', 'the key id (key_…) from apikey list'))
    .action(async (keyId: string, opts: AdminOptions) => {
      const revoked = await (await adminClient(opts)).post(`/v1/api-keys/${encodeURIComponent(keyId)}/revoke`);
      report(!!opts.json, revoked, () => `revoked ${keyId} at ${String(revoked.revokedAt)}`);
    });
}
