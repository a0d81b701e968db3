// The audit trail as the page sees it: entries newest first, a chain badge computed here,
// unsynced count, and export as JSON Lines. A refusal says why: its code, and for a limit
// (LIMIT_EXCEEDED) which one of the grant's.
import { createLimitLedger, type GrantLimit, type LimitArgs, type SignedAuditEntry } from 'offline-consent';
import { describeLimit } from '../limits.js';
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
  const broken = brokenLimits(entries, session.limits);
  $('audit-rows').replaceChildren(...entries.slice(-SHOWN).reverse().map((e) => row(e, broken.get(e.seq))));
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

/**
 * The limit each LIMIT_EXCEEDED refusal of the trail broke, by seq: the trail replayed through
 * the library's limit ledger (the model the guard and the authority count with), each refusal
 * checked with the arguments its entry holds at its time.
 */
function brokenLimits(entries: readonly SignedAuditEntry[], limits: readonly GrantLimit[]): Map<number, GrantLimit> {
  const broken = new Map<number, GrantLimit>();
  if (limits.length === 0) return broken;
  const ledger = createLimitLedger(limits);
  for (const e of entries) {
    if (e.metadata?.error !== 'LIMIT_EXCEEDED') {
      ledger.record(e);
      continue;
    }
    const args = (e.metadata.limitArgs ?? e.metadata.arguments) as LimitArgs;
    const breach = ledger.breach(e.scopes, args, Date.parse(e.timestamp));
    if (breach) broken.set(e.seq, breach.limit);
  }
  return broken;
}

/** Why an entry is not a success: the error code the guard recorded, and the limit a LIMIT_EXCEEDED broke. */
function why(e: SignedAuditEntry, limit: GrantLimit | undefined): string {
  const code = e.metadata?.error;
  if (typeof code !== 'string') return '';
  return limit ? `${code} (${limit.kind}: ${describeLimit(limit)})` : code;
}

function row(e: SignedAuditEntry, limit: GrantLimit | undefined): HTMLTableRowElement {
  const time = new Date(e.timestamp).toLocaleTimeString();
  const reason = why(e, limit);
  return h('tr', { 'data-seq': String(e.seq) },
    h('td', {}, String(e.seq)),
    h('td', {}, time),
    h('td', { class: 'action' }, ...breakable(e.action)),
    h('td', { class: `result result-${e.result}` }, ...breakable(e.result)),
    // 12 hex digits; a narrow screen shows the first 8 (styles.css), the full hash is the title.
    h('td', { class: 'hash', title: e.hash }, e.hash.slice(0, 8), h('span', { class: 'hash-more' }, e.hash.slice(8, 12))),
    h('td', { class: 'why' }, ...breakable(reason)));
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
