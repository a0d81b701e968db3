/** @jsxImportSource hono/jsx */
import { bundleStatus, type BundleRow } from '../../records.js';
import type { LimitUsage } from '../../../guard/limits/ledger.js';
import { FlagBadges, Pager, StatusBadge, TableBox, Time } from '../components/format.js';
import { LimitUsageTable } from '../components/limit-usage.js';
import { Layout } from '../components/layout.js';
import type { ConsoleSession } from '../env.js';
import { consolePaths, withQuery } from '../paths.js';
import type { TrailPage as Page, TrailRow } from '../queries/trail.js';

/** What the trail page shows: the bundle, one page of its entries, and how that page was asked for. */
export interface TrailView {
  session: ConsoleSession;
  bundle: BundleRow;
  page: Page;
  flagged: boolean;
  now: number;
  /** The grant's limits and their use, counted from the stored trail ([] without limits). */
  limits: readonly LimitUsage[];
  notice?: string | undefined;
}

/** The bundle's record at the top of its trail page. */
function BundleFacts({ bundle, now }: { bundle: BundleRow; now: number }) {
  const flags = JSON.parse(bundle.flags) as string[];
  return (
    <dl class="facts">
      <dt>Status</dt>
      <dd><StatusBadge status={bundleStatus(bundle, now)} />{bundle.revoked_at ? <> since <Time value={bundle.revoked_at} /></> : null}{bundle.grant_revoked ? ' (grant revoked too)' : null}</dd>
      <dt>Agent · user</dt>
      <dd><code>{bundle.agent_id}</code> · {bundle.user_id}</dd>
      <dt>Scopes</dt>
      <dd>{(JSON.parse(bundle.scopes) as string[]).map((s, i) => [i > 0 ? ' ' : '', <code>{s}</code>])}</dd>
      <dt>Device</dt>
      <dd>{bundle.device_id ?? <span class="muted">no id</span>}{bundle.device_platform ? ` (${bundle.device_platform})` : null}{bundle.enrolled ? ' · enrolled with its own key' : ''}</dd>
      <dt>Entries held</dt>
      <dd>{Number(bundle.head_seq).toLocaleString('en-US')} (syncedSeq {String(bundle.head_seq)})</dd>
      <dt>Last sync</dt>
      <dd><Time value={bundle.last_synced_at} empty="never" /></dd>
      <dt>Offline deadline</dt>
      <dd><Time value={bundle.offline_expires_at} /></dd>
      <dt>Bundle flags</dt>
      <dd><FlagBadges flags={flags} /></dd>
    </dl>
  );
}

/** One stored entry: flagged ones are highlighted and name their flags. */
function EntryRowView({ e }: { e: TrailRow }) {
  const flags = JSON.parse(e.flags) as string[];
  const scopes = JSON.parse(e.scopes) as string[];
  return (
    <tr class={flags.length ? 'flagged' : undefined} id={`seq-${String(e.seq)}`}>
      <td>{String(e.seq)}</td>
      <td><FlagBadges flags={flags} none="—" /></td>
      <td class="mono">{e.timestamp}</td>
      <td><code>{e.action}</code></td>
      <td>{e.result}</td>
      <td>{scopes.map((s, i) => [i > 0 ? ' ' : '', <code>{s}</code>])}</td>
      <td class="nowrap"><span class="badge ok" title={`Hash, signature (audit key v${e.audit_key_version}) and chain were checked when this entry was synced`}>✓ verified at sync</span></td>
      <td>
        <details>
          <summary>hash {e.hash.slice(0, 12)}…</summary>
          <pre>{`hash      ${e.hash}\nprevHash  ${e.prev_hash}\nsignature ${e.signature}\nkey       v${e.audit_key_version}\nsynced    ${new Date(e.synced_at).toISOString()}${e.metadata === null ? '' : `\nmetadata  ${e.metadata}`}`}</pre>
        </details>
      </td>
    </tr>
  );
}

/** A bundle's trail: its record, entries a page at a time by seq, flags highlighted, a flagged-only filter, export and revoke. */
export function TrailPage({ session, bundle, page, flagged, now, limits, notice }: TrailView) {
  const base = consolePaths.bundle(bundle.id);
  const link = (q: Record<string, number | null>) => withQuery(base, { flagged: flagged ? 1 : null, ...q });
  const revoked = bundle.status === 'revoked';
  const pager = (label: string) => (
    <Pager
      label={label}
      prev={page.prevBefore !== null ? link({ before: page.prevBefore }) : null}
      next={page.nextAfter !== null ? link({ after: page.nextAfter }) : null}
      prevText="Previous"
      nextText="Next"
      extra={
        <>
          <span class="gap" />
          <a href={link({})}>First</a>
          <a href={link({ before: Number(bundle.head_seq) + 1 })}>Last</a>
        </>
      }
    />
  );
  return (
    <Layout title={`Bundle ${bundle.id}`} session={session} current="bundles">
      <p><a href={consolePaths.bundles}>← All bundles</a></p>
      <h1>Bundle <code>{bundle.id}</code></h1>
      {notice && <p class="notice" role="status">{notice}</p>}
      <section class="card" aria-label="Bundle record">
        <BundleFacts bundle={bundle} now={now} />
      </section>
      <div class="actions">
        <a class="button secondary" href={consolePaths.exportJsonl(bundle.id)} download={`${bundle.id}.audit.jsonl`}>Export JSONL</a>
        {revoked ? <span class="muted">Revoked: its device is refused at its next sync.</span> : <a class="button secondary" href={consolePaths.revoke(bundle.id)}>Revoke…</a>}
      </div>
      {limits.length > 0 && (
        <>
          <h2 id="limits">Limits</h2>
          <LimitUsageTable usage={limits} />
        </>
      )}
      <h2 id="trail">Audit trail</h2>
      <p class="muted">The authority stores only entries whose hash, signature and chain link passed its checks at sync, so every entry here was verified at sync.</p>
      <nav aria-label="Which entries">
        <ul class="filters">
          <li><a href={base} aria-current={!flagged ? 'page' : undefined}>All entries</a></li>
          <li><a href={withQuery(base, { flagged: 1 })} aria-current={flagged ? 'page' : undefined}>Flagged only</a></li>
        </ul>
      </nav>
      <form class="jump" method="get" action={base}>
        {flagged && <input type="hidden" name="flagged" value="1" />}
        <label for="after">Show entries after seq</label>
        <div class="row">
          <input type="number" id="after" name="after" min="0" step="1" inputmode="numeric" />
          <button type="submit" class="secondary">Go</button>
        </div>
      </form>
      {pager('Trail pages')}
      {page.entries.length === 0 ? (
        <p class="card">{flagged ? 'No flagged entries on this page.' : 'No entries on this page.'}</p>
      ) : (
        <TableBox label="Audit entries">
          <table class="log">
            <caption>{`Entries ${String(page.entries[0]!.seq)} to ${String(page.entries[page.entries.length - 1]!.seq)}${flagged ? ' (flagged only)' : ''}`}</caption>
            <thead>
              <tr>
                <th scope="col">Seq</th>
                <th scope="col">Flags</th>
                <th scope="col">Timestamp</th>
                <th scope="col">Action</th>
                <th scope="col">Result</th>
                <th scope="col">Scopes</th>
                <th scope="col">Verification</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((e) => <EntryRowView e={e} />)}
            </tbody>
          </table>
        </TableBox>
      )}
      {pager('Trail pages, below')}
    </Layout>
  );
}
