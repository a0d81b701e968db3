// Wires the page: consent → model → chat through the guard → audit, sync, revoke.
import { runAgentTurn } from './agent.js';
import type { ChatMessage, Engine } from './engine/types.js';
import { isOnline, onNetworkChange, setOnline } from './net.js';
import { operatorRevoke } from './backend.js';
import { Session, type PlaygroundConfig } from './session.js';
import { createDemoTools } from './tools.js';
import { exportJsonl, renderAudit } from './ui/audit-panel.js';
import { addNote, addUserTurn, createTurnRenderer } from './ui/chat-panel.js';
import { chosenLimits, chosenScopes, chosenTTL, renderBundle, renderLimits, renderScopeChoices, renderTimeLeft } from './ui/consent-panel.js';
import { $, describeError, say } from './ui/dom.js';
import { readyText, setUpModelPanel } from './ui/model-panel.js';

const tools = createDemoTools();
let config: PlaygroundConfig;
let session: Session | null = null;
let engine: Engine | null = null;
let busy = false;
let revokedNoted = false;
/** When the authority said this bundle is revoked (null: not heard). A revoked bundle is never refreshed. */
let revokedAt: string | null = null;
/** The halting refusal the guard gave the agent, for the session it was given in: a new bundle clears it. */
let halt: { session: Session; code: string } | null = null;
const messages: ChatMessage[] = [];
const PROMPT = 'How warm is the kitchen?';

/** Why the chat is off, in the placeholder (short) and under the form (what to do), or null while it may run. */
function haltReason(): { short: string; long: string } | null {
  if (!halt || halt.session !== session) return null;
  return halt.code === 'GRANT_REVOKED'
    ? { short: 'Halted: grant revoked', long: 'The agent is halted: this grant is revoked. Forget the bundle and give consent again.' }
    : { short: `Halted: ${halt.code}`, long: `The agent is halted (${halt.code}). Refresh the bundle while online, or forget it and give consent again.` };
}

function updateControls(): void {
  const halted = haltReason();
  const ready = session !== null && engine !== null && !busy && halted === null;
  const input = $<HTMLInputElement>('chat-input');
  input.disabled = !ready;
  input.placeholder = halted?.short ?? (session === null ? 'Give consent first' : engine === null ? 'Load a model first' : PROMPT);
  const note = $('halted');
  note.hidden = halted === null;
  note.textContent = halted?.long ?? '';
  $<HTMLButtonElement>('send').disabled = !ready;
  for (const id of ['sync', 'export', 'revoke', 'check', 'forget']) $<HTMLButtonElement>(id).disabled = session === null || busy;
  // A revoked bundle is never refreshed (the authority answers BUNDLE_REVOKED): only a new consent helps.
  const refresh = $<HTMLButtonElement>('refresh');
  refresh.disabled = session === null || busy || revokedAt !== null;
  $('refresh-off').hidden = revokedAt === null;
  if (revokedAt !== null) refresh.setAttribute('aria-describedby', 'refresh-off'); // the reason is read with the button
  else refresh.removeAttribute('aria-describedby');
  $<HTMLButtonElement>('provision').disabled = busy;
}

async function refreshViews(): Promise<void> {
  revokedAt = await session?.revocation() ?? null;
  if (revokedAt !== null) noteRevoked();
  renderBundle(session, revokedAt);
  await renderUse();
  updateControls();
}

/** The trail and the limits' use, both read from IndexedDB: after every call and on every render. */
async function renderUse(): Promise<void> {
  await renderAudit(session);
  if (session) renderLimits(await session.usage());
}

/** A new bundle (or none): the old one's conversation, halt and messages are gone from view. */
function startOver(note: string, kind: 'consent' | 'note'): void {
  revokedNoted = false;
  halt = null;
  messages.length = 0;
  $('transcript').replaceChildren();
  say($('sync-msg'), '');
  addNote(note, kind);
}

/** Runs a button's work with the page marked busy and errors shown where the user looks. */
async function act(status: HTMLElement, work: () => Promise<void>): Promise<void> {
  busy = true;
  updateControls();
  try {
    await work();
  } catch (error) {
    say(status, describeError(error), true);
  } finally {
    busy = false;
    await refreshViews();
  }
}

function wireNetwork(): void {
  const box = $<HTMLInputElement>('online'), chip = $('net-state');
  // The switch is the user's; the browser may also have no network at all (navigator.onLine).
  const show = () => {
    box.checked = isOnline();
    const reachable = isOnline() && navigator.onLine;
    chip.textContent = reachable ? 'Online: the authority is reachable'
      : navigator.onLine ? 'Offline: cut off from the authority' : 'Offline: this device has no network';
    chip.classList.toggle('off', !reachable);
  };
  box.addEventListener('change', () => setOnline(box.checked));
  onNetworkChange(show);
  window.addEventListener('online', show);
  window.addEventListener('offline', show);
  show();
}

/** Said once in the chat: from now on every call is refused. */
function noteRevoked(): void {
  if (revokedNoted) return;
  revokedNoted = true;
  addNote('The authority reports this grant revoked: the agent refuses every further tool call.', 'halt');
}

function wireConsent(): void {
  const msg = $('consent-msg');
  $('provision').addEventListener('click', () => act(msg, async () => {
    const scopes = chosenScopes();
    if (scopes.length === 0) return say(msg, 'Choose at least one scope.', true);
    const limits = chosenLimits();
    say(msg, 'Asking for a one-time enrollment code, then redeeming it at the authority…');
    session = await Session.provision(scopes, chosenTTL(), limits);
    // A new grant starts a new conversation: nothing said under the old one carries over.
    startOver(`New consent: bundle ${session.bundle.bundleId} may use ${scopes.join(', ')}${limits.length > 0 ? `, with ${limits.length === 1 ? 'a limit' : `${limits.length} limits`}` : ''}.`, 'consent');
    // The token is what the guard enforces: say so if the authority signed other limits than asked.
    const signed = session.limits.length;
    say(msg, signed === limits.length
      ? `Consent bundle ${session.bundle.bundleId} redeemed with an audit key made in this browser, and stored sealed with its device key.`
      : `Consent bundle ${session.bundle.bundleId} redeemed, but the authority signed ${signed} of the ${limits.length} limits asked for into its grant.`, signed !== limits.length);
  }));
  $('refresh').addEventListener('click', () => act(msg, async () => {
    say(msg, 'Refreshing the bundle…');
    session = await session!.refresh();
    say(msg, 'Bundle refreshed: new token, new deadline, and a new audit key made in this browser.');
  }));
  $('check').addEventListener('click', () => act(msg, async () => {
    say(msg, 'Asking the authority…');
    const { status, revokedAt } = await session!.checkRevocation();
    say(msg, `The authority says this bundle is ${status}${revokedAt ? ` (revoked at ${new Date(revokedAt).toLocaleTimeString()})` : ''}.`, status === 'revoked');
    if (status === 'revoked') noteRevoked();
  }));
  $('forget').addEventListener('click', () => act(msg, async () => {
    const gone = session!.bundle.bundleId;
    await session!.forget();
    session = null;
    startOver(`Bundle ${gone} forgotten: give consent again to go on.`, 'note');
    say(msg, 'Bundle deleted from this browser. Its audit trail stays in IndexedDB.');
  }));
}

function wireAudit(): void {
  const msg = $('sync-msg'), bar = $<HTMLProgressElement>('sync-progress');
  $('sync').addEventListener('click', () => act(msg, async () => {
    say(msg, 'Syncing…');
    bar.hidden = false;
    bar.value = 0;
    const result = await session!.sync(({ synced, total }) => { bar.value = total ? synced / total : 1; })
      .finally(() => { bar.hidden = true; }); // a failed sync hides its bar too
    const errors = result.errors.map((e) => `${e.code}${e.seq ? ` (seq ${e.seq})` : ''}`).join(', ');
    say(msg, `Authority answered: ${result.accepted} accepted, ${result.rejected} rejected, grant ${result.revocationStatus}` +
      `${result.revokedAt ? ` (revoked at ${new Date(result.revokedAt).toLocaleTimeString()})` : ''}${errors ? `; errors: ${errors}` : ''}.`, result.hasErrors);
    if (result.revocationStatus === 'revoked') noteRevoked();
  }));
  $('export').addEventListener('click', () => void exportJsonl(session!));
  $('revoke').addEventListener('click', () => act(msg, async () => {
    const { revokedAt } = await operatorRevoke(session!.bundle.bundleId);
    say(msg, `Operator revoked the grant at the authority (${new Date(revokedAt).toLocaleTimeString()}). The device learns it at its next sync.`);
  }));
}

function wireChat(): void {
  const input = $<HTMLInputElement>('chat-input');
  $('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || !session || !engine) return;
    input.value = '';
    addUserTurn(text);
    const render = createTurnRenderer();
    const engineState = $('engine-state');
    say(engineState, `Generating with ${engine.label}…`);
    const stop = new AbortController();
    const stopButton = $<HTMLButtonElement>('stop');
    stopButton.hidden = false;
    stopButton.onclick = () => stop.abort(new DOMException('Stopped by the user', 'AbortError'));
    void act(engineState, async () => {
      await runAgentTurn(text, {
        engine: engine!, guard: session!.guard, tools, messages, signal: stop.signal,
        onEvent: (event) => {
          render(event);
          if (event.type === 'tool-result') void renderUse();
          if (event.type === 'halted') {
            halt = { session: session!, code: event.code };
            updateControls(); // the reason shows with the halt note, not only once the turn is over
          }
        },
      });
      say(engineState, readyText(engine!));
    }).then(() => {
      stopButton.hidden = true;
      input.focus();
    });
  });
}

/** The service worker keeps the page, its script and MediaPipe's WASM for visits with no network. */
async function keepForOffline(): Promise<void> {
  const state = $('offline-ready');
  if (!('serviceWorker' in navigator)) return say(state, 'This browser cannot keep the page for offline visits (no service worker).');
  try {
    await navigator.serviceWorker.register('/sw.js');
    await navigator.serviceWorker.ready;
    say(state, 'This page is kept for offline visits (service worker).');
  } catch (error) {
    say(state, `The page could not be kept for offline visits: ${describeError(error)}`);
  }
}

async function main(): Promise<void> {
  void keepForOffline();
  renderScopeChoices();
  wireNetwork();
  wireConsent();
  wireAudit();
  wireChat();
  const res = await fetch('/playground/config');
  config = await res.json();
  $('authority-url').textContent = config.authorityUrl;
  try {
    session = await Session.restore();
  } catch (error) {
    say($('consent-msg'), `The stored bundle could not be opened: ${describeError(error)}`, true);
  }
  await setUpModelPanel((e) => { engine = e; updateControls(); });
  setInterval(() => renderTimeLeft(session), 1000);
  await refreshViews();
  document.body.dataset.ready = 'true';
}

void main();
