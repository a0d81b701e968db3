/** @jsxImportSource hono/jsx */
import { RowPager, StatusBadge, TableBox, Time } from '../components/format.js';
import { Layout } from '../components/layout.js';
import type { ConsoleSession } from '../env.js';
import { consolePaths } from '../paths.js';
import type { ListedAgent } from '../queries/agents.js';
import type { RowPage } from '../queries/row-page.js';

/** The developer's agents: name, id, status, the scopes they may be granted, and when they were registered. */
export function AgentsPage({ session, page }: { session: ConsoleSession; page: RowPage<ListedAgent> }) {
  return (
    <Layout title="Agents" session={session} current="agents">
      <h1>Agents</h1>
      {page.rows.length === 0 ? (
        <p class="card">No agents on this page. Register one with <code>offline-consent agent create</code> or <code>POST /v1/agents</code>.</p>
      ) : (
        <TableBox label="Agents">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Agent id</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((a) => (
                <tr>
                  <td data-label="Name">{a.name}</td>
                  <td class="nowrap" data-label="Status"><StatusBadge status={a.status} /></td>
                  <td class="nowrap wide" data-label="Agent id"><code>{a.id}</code></td>
                  <td class="wide" data-label="Scopes">{(JSON.parse(a.scopes) as string[]).map((s, i) => [i > 0 ? ' ' : '', <code>{s}</code>])}</td>
                  <td class="nowrap wide" data-label="Created"><Time value={a.created_at} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
      <RowPager label="Agent pages" path={consolePaths.agents} page={page} />
    </Layout>
  );
}
