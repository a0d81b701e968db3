// The audit trail as the page sees it: entries newest first, a chain badge computed here,
// unsynced count, and export as JSON Lines.
import type { SignedAuditEntry } from 'offline-consent';
import type { Session } from '../session.js';
import { $, h, plural } from './dom.js';

const SHOWN = 200;

/** Shows the trail of `session` (newest first), the chain badge from re-verifying it here, and how many entries are unsynced. */
export async function renderAudit(session: Session | null): Promise<void> {
  const badge = $('chain-badge');
  if (!session) {
    $('audit-rows').replaceChildren();
    badge.className = 'badge none';
    badge.textContent = 'No bundle';
    $('unsynced').textContent = '';
    return;
  }
  const entries = await session.entries();
  $('audit-rows').replaceChildren(...entries.slice(-SHOWN).reverse().map(row));
  const check = await session.verifyTrail();
  if (entries.length === 0) {
    badge.className = 'badge none';
    badge.textContent = 'No entries yet';
  } else if (check.valid) {
    badge.className = 'badge';
    badge.textContent = `✓ Chain verified: ${plural(check.count, 'entry', 'entries')}, hashes and Ed25519 signatures`;
  } else {
    badge.className = 'badge bad';
    badge.textContent = `✗ Chain broken at seq ${check.brokenAt} (${check.reason})`;
  }
  $('unsynced').textContent = entries.length === 0 ? '' : `${await session.unsyncedCount()} not yet synced`;
}

function row(e: SignedAuditEntry): HTMLTableRowElement {
  const time = new Date(e.timestamp).toLocaleTimeString();
  return h('tr', { 'data-seq': String(e.seq) },
    h('td', {}, String(e.seq)),
    h('td', {}, time),
    h('td', { class: 'action' }, ...breakable(e.action)),
    h('td', { class: `result result-${e.result}` }, ...breakable(e.result)),
    // 12 hex digits; a narrow screen shows the first 8 (styles.css), the full hash is the title.
    h('td', { class: 'hash', title: e.hash }, e.hash.slice(0, 8), h('span', { class: 'hash-more' }, e.hash.slice(8, 12))));
}

/** `scope_violation` as `scope_`, a <wbr>, `violation`: a narrow screen may break it there, the text stays the same. */
function breakable(word: string): Array<Node | string> {
  return word.split(/(?<=[._])/).flatMap((part, i) => (i === 0 ? [part] : [document.createElement('wbr'), part]));
}

/** Downloads the live trail in the library's JSONL file format. */
export async function exportJsonl(session: Session): Promise<void> {
  const entries = await session.entries();
  const blob = new Blob(entries.map((e) => `${JSON.stringify(e)}\n`), { type: 'application/x-ndjson' });
  const a = h('a', { href: URL.createObjectURL(blob), download: `audit-${session.bundle.bundleId}.jsonl` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
