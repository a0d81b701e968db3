/** @jsxImportSource hono/jsx */
// A bundle's grant limits and where each stands: the authority's own count from the stored trail.
import type { LimitUsage } from '../../../guard/limits/ledger.js';
import { describeLimit } from '../../limits/describe-limit.js';
import { TableBox, Time } from './format.js';

/** The limits table of a bundle's page (one card per limit at 360 px); a line saying there are none otherwise. */
export function LimitUsageTable({ usage }: { usage: readonly LimitUsage[] }) {
  if (usage.length === 0) return <p class="muted">This grant has no limits beyond its scopes.</p>;
  return (
    <>
      <p class="muted">Counted by the authority from the synced trail, in seq order; an entry that broke a limit is flagged <span class="badge flag">⚑ limitExceeded</span>.</p>
      <TableBox label="Grant limits">
      <table class="stack limits">
        <thead>
          <tr>
            <th scope="col">Scope</th>
            <th scope="col">Limit</th>
            <th scope="col">Used</th>
            <th scope="col">Remaining</th>
            <th scope="col">Frees at</th>
          </tr>
        </thead>
        <tbody>
          {usage.map((u) => {
            const bounds = u.limit.kind === 'bounds';
            const spent = !bounds && u.remaining === 0;
            const windowed = 'per' in u.limit && u.limit.per !== undefined;
            return (
              <tr class={spent ? 'spent' : undefined}>
                <td class="wide" data-label="Scope"><code>{u.limit.scope}</code></td>
                <td data-label="Limit">{describeLimit(u.limit)}</td>
                <td data-label="Used">{bounds ? <span class="muted">—</span> : String(u.used)}</td>
                <td data-label="Remaining">{bounds ? <span class="muted">—</span> : spent ? <span class="badge flag">0 left</span> : String(u.remaining)}</td>
                <td data-label="Frees at"><Time value={u.resetAt} empty={windowed || bounds ? '—' : 'never'} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
      </TableBox>
    </>
  );
}
