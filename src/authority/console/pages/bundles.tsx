/** @jsxImportSource hono/jsx */
import { BUNDLE_STATUSES } from '../../bundle-list.js';
import { bundleStatus } from '../../records.js';
import { FlagBadges, RowPager, StatusBadge, TableBox, Time } from '../components/format.js';
import { Layout } from '../components/layout.js';
import type { ConsoleSession } from '../env.js';
import { consolePaths, withQuery } from '../paths.js';
import type { ListedBundle } from '../queries/bundles.js';
import type { RowPage } from '../queries/row-page.js';

/** The status filter as links (a real link per status, the current one marked). */
function StatusFilter({ status }: { status: string | null }) {
  const choices: (string | null)[] = [null, ...BUNDLE_STATUSES];
  return (
    <nav aria-label="Filter by status">
      <ul class="filters">
        {choices.map((s) => (
          <li>
            <a href={withQuery(consolePaths.bundles, { status: s })} aria-current={s === status ? 'page' : undefined}>{s ?? 'all'}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The developer's bundles, newest first: status, device, last sync, entries held, flags; filtered by status, keyset-paged. */
export function BundlesPage({ session, page, status, now }: { session: ConsoleSession; page: RowPage<ListedBundle>; status: string | null; now: number }) {
  return (
    <Layout title="Bundles" session={session} current="bundles">
      <h1>Bundles</h1>
      <StatusFilter status={status} />
      {page.rows.length === 0 ? (
        <p class="card">{status ? `No ${status} bundles on this page.` : 'No bundles on this page.'}</p>
      ) : (
        <TableBox label="Bundles">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Bundle</th>
                <th scope="col">Status</th>
                <th scope="col">Agent · user</th>
                <th scope="col">Device</th>
                <th scope="col">Last sync</th>
                <th scope="col">Entries held</th>
                <th scope="col">Flags</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((b) => {
                const flags = JSON.parse(b.flags) as string[];
                const flagged = flags.length > 0 || b.has_flagged;
                return (
                  <tr class={flagged ? 'flagged' : undefined}>
                    <td class="nowrap wide" data-label="Bundle"><a href={consolePaths.bundle(b.id)}><code>{b.id}</code></a></td>
                    <td data-label="Status"><StatusBadge status={bundleStatus(b, now)} /></td>
                    <td data-label="Agent · user">{b.agent_name} · {b.user_id}</td>
                    <td data-label="Device">{b.device_id ?? <span class="muted">no id</span>}{b.device_platform ? <span class="hint">{b.device_platform}</span> : null}</td>
                    <td class="nowrap" data-label="Last sync"><Time value={b.last_synced_at} empty="never" /></td>
                    <td data-label="Entries held">{Number(b.head_seq).toLocaleString('en-US')}</td>
                    <td data-label="Flags">
                      <span class="flags">
                        {flags.map((f) => <span class="badge flag">⚑ {f}</span>)}
                        {b.has_flagged ? <span class="badge flag">⚑ flagged entries</span> : null}
                        {!flagged ? <span class="muted">none</span> : null}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableBox>
      )}
      <RowPager label="Bundle pages" path={consolePaths.bundles} query={{ status }} page={page} />
      <ul class="legend" aria-label="What the flags mean">
        <li><FlagBadges flags={['TRAIL_TRUNCATED']} /> the device's later trail did not contain a head it reported.</li>
        <li><span class="badge flag">⚑ flagged entries</span> at least one stored entry carries an entry flag (open the bundle, then Flagged only).</li>
      </ul>
    </Layout>
  );
}
