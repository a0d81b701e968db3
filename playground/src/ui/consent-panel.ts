// Consent and bundle status: choose scopes and TTL, provision; then deadline, time left,
// the shouldRefresh warning, Refresh and Forget.
import { readGrantIdentity } from 'offline-consent';
import type { Session } from '../session.js';
import { SCOPES } from '../tools.js';
import { $, formatDuration, h } from './dom.js';

/** Shows a checkbox per demo scope, all ticked but `email:send`. */
export function renderScopeChoices(): void {
  $('scope-list').replaceChildren(...SCOPES.map(({ scope, label }, i) =>
    h('label', {}, Object.assign(h('input', { type: 'checkbox', value: scope, id: `scope-${i}` }), { checked: scope !== 'email:send' }), ` ${label} `, h('code', {}, scope))));
}

/** The scopes the user ticked. */
export function chosenScopes(): string[] {
  return [...document.querySelectorAll<HTMLInputElement>('#scope-list input:checked')].map((i) => i.value);
}

/** The offline TTL the user chose, as the authority reads it (`24h`). */
export function chosenTTL(): string {
  return $<HTMLSelectElement>('ttl').value;
}

/** Shows the form (no session) or the bundle's status; `revokedAt` is what the last sync heard. */
export function renderBundle(session: Session | null, revokedAt: string | null, now = Date.now()): void {
  $('consent-form').hidden = session !== null;
  $('bundle-status').hidden = session === null;
  if (!session) return;
  const b = session.bundle;
  const grantScopes = readGrantIdentity(b.grantToken).scopes; // display only: the guard verifies the token itself
  $('b-id').textContent = b.bundleId;
  $('b-scopes').textContent = grantScopes.join(', ') || '(none)';
  $('b-deadline').textContent = new Date(b.offlineExpiresAt).toLocaleString();
  const status = $('b-status');
  status.textContent = revokedAt ? `Revoked (${new Date(revokedAt).toLocaleString()}, heard from the authority)` : 'Active';
  status.classList.toggle('bad', revokedAt !== null);
  renderTimeLeft(session, now);
}

/** The ticking part of the status: time left and the shouldRefresh warning. */
export function renderTimeLeft(session: Session | null, now = Date.now()): void {
  if (!session) return;
  $('b-left').textContent = formatDuration(Date.parse(session.bundle.offlineExpiresAt) - now);
  $('b-refresh-warning').hidden = !session.needsRefresh(now);
}
