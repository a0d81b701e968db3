// Consent and bundle status: choose scopes, limits and TTL, provision; then deadline, time
// left, the limits' usage, the shouldRefresh warning, Refresh and Forget.
import { readGrantIdentity, type GrantLimit, type LimitUsage } from 'offline-consent';
import { LIMIT_OFFERS, describeUsage, limitFrom } from '../limits.js';
import type { Session } from '../session.js';
import { SCOPES } from '../tools.js';
import { $, formatDuration, h } from './dom.js';

/** Shows a checkbox per demo scope, all ticked but `email:send`, and the limits offered on them (none ticked). */
export function renderScopeChoices(): void {
  $('scope-list').replaceChildren(...SCOPES.map(({ scope, label }, i) =>
    h('label', {}, Object.assign(h('input', { type: 'checkbox', value: scope, id: `scope-${i}` }), { checked: scope !== 'email:send' }), ` ${label} `, h('code', {}, scope))));
  $('limit-list').replaceChildren(...LIMIT_OFFERS.map((offer) => {
    const box = h('input', { type: 'checkbox', value: offer.id, id: `limit-${offer.id}`, 'data-scope': offer.scope });
    // The text with a number input for each {field}; a number can be changed once its limit is ticked.
    const parts = offer.text.split(/(\{\w+\})/).map((part) => {
      const field = offer.fields.find((f) => `{${f.key}}` === part);
      if (!field) return part;
      return h('input', {
        type: 'number', id: `limit-${offer.id}-${field.key}`, 'data-key': field.key, 'aria-label': field.label,
        min: String(field.from), max: String(field.to), step: '1', value: String(field.value), inputmode: 'numeric', disabled: '',
      });
    });
    return h('label', { class: 'limit' }, box, h('span', {}, ...parts), h('code', {}, offer.scope));
  }));
  const sync = () => {
    const chosen = chosenScopes();
    for (const box of document.querySelectorAll<HTMLInputElement>('#limit-list input[type=checkbox]')) {
      box.disabled = !chosen.includes(box.dataset.scope!); // a limit only goes with its scope
      const row = box.closest('label')!;
      row.classList.toggle('off', box.disabled);
      for (const input of row.querySelectorAll<HTMLInputElement>('input[type=number]')) input.disabled = box.disabled || !box.checked;
    }
  };
  $('scope-list').addEventListener('change', sync);
  $('limit-list').addEventListener('change', sync);
  sync();
}

/** The limits ticked (on ticked scopes), with the numbers the user gave; a number outside its range is an error. */
export function chosenLimits(): GrantLimit[] {
  return LIMIT_OFFERS.flatMap((offer) => {
    const box = document.getElementById(`limit-${offer.id}`) as HTMLInputElement | null;
    if (!box?.checked || box.disabled) return [];
    const values: Partial<Record<'max' | 'min', number>> = {};
    for (const f of offer.fields) {
      const input = $<HTMLInputElement>(`limit-${offer.id}-${f.key}`);
      const v = input.valueAsNumber;
      if (!(Number.isSafeInteger(v) && v >= f.from && v <= f.to)) throw new Error(`${f.label}: a whole number from ${f.from} to ${f.to}`);
      values[f.key] = v;
    }
    if (values.min !== undefined && values.max !== undefined && values.min > values.max) throw new Error(`${offer.fields[0]!.label} is above the highest`);
    return [limitFrom(offer, values)];
  });
}

const clock = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** The grant's limits and their use (null: the guard cannot say now, e.g. revoked). */
export function renderLimits(usage: LimitUsage[] | null): void {
  const list = $('b-limits');
  if (usage === null) {
    list.replaceChildren(h('li', { class: 'muted' }, 'not counted: the grant is not usable'));
    return;
  }
  list.replaceChildren(...(usage.length === 0 ? [h('li', { class: 'muted' }, 'none')]
    : usage.map((u) => h('li', { class: u.remaining === 0 ? 'full' : '', 'data-kind': u.limit.kind }, describeUsage(u, clock)))));
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
