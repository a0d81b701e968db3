// `offline-consent agent create|list|show`: the agents a developer registers at the authority.
import type { Command } from 'commander';
import { adminClient, listAll, type AdminOptions } from '../admin/client.js';
import { withAdminOptions } from '../admin/options.js';
import { formatRecord, formatTable } from '../admin/table.js';
import { CliError, report } from '../output.js';

const COLUMNS = ['agentId', 'name', 'status', 'scopes', 'createdAt'];

/** Registers the `agent` verbs. */
export function registerAgent(program: Command): void {
  const agent = program.command('agent').description('agents registered at the authority (API key from OFFLINE_CONSENT_API_KEY or --api-key-file)');

  withAdminOptions(agent.command('create').description('register an agent with the scopes it may be granted'))
    .requiredOption('--name <name>', 'a name people recognise, e.g. "kitchen pi"')
    .requiredOption('--scopes <a,b>', 'comma-separated scopes it may ever be granted')
    .option('--description <text>', 'what it does')
    .action(async (opts: AdminOptions & { name: string; scopes: string; description?: string }) => {
      const scopes = opts.scopes.split(',').map((s) => s.trim()).filter(Boolean);
      if (scopes.length === 0) throw new CliError('--scopes needs at least one scope, e.g. sensor:read,thermostat:write', 2);
      const client = await adminClient(opts);
      const created = await client.post('/v1/agents', { name: opts.name, scopes, ...(opts.description ? { description: opts.description } : {}) });
      report(!!opts.json, created, () => formatRecord(created));
    });

  withAdminOptions(agent.command('list').description('the agents, newest first'))
    .option('--limit <n>', 'at most this many', '100')
    .action(async (opts: AdminOptions & { limit: string }) => {
      const max = Number(opts.limit);
      if (!Number.isInteger(max) || max < 1) throw new CliError(`invalid --limit ${opts.limit}`, 2);
      const agents = await listAll(await adminClient(opts), '/v1/agents', 'agents', max);
      report(!!opts.json, { agents }, () => formatTable(agents, COLUMNS));
    });

  withAdminOptions(agent.command('deactivate').description('no new bundles or refreshes for this agent; bundles on devices run out at their deadlines').argument('<agentId>', 'the agent id (ag_…)'))
    .action(async (agentId: string, opts: AdminOptions) => {
      const done = await (await adminClient(opts)).post(`/v1/agents/${encodeURIComponent(agentId)}/deactivate`);
      report(!!opts.json, done, () => `deactivated ${agentId}: no new bundles, no refreshes`);
    });

  withAdminOptions(agent.command('show').description('one agent').argument('<agentId>', 'the agent id (ag_…)'))
    .action(async (agentId: string, opts: AdminOptions) => {
      const found = await (await adminClient(opts)).get(`/v1/agents/${encodeURIComponent(agentId)}`);
      report(!!opts.json, found, () => formatRecord(found));
    });
}
