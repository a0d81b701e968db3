// Wires the page: consent → model → chat through the guard → audit, sync, revoke.
import { runAgentTurn } from './agent.js';
import type { ChatMessage, Engine } from './engine/types.js';
import { isOnline, onNetworkChange, setOnline } from './net.js';
import { operatorRevoke } from './backend.js';
import { Session, type PlaygroundConfig } from './session.js';
import { createDemoTools } from './tools.js';
import { exportJsonl, renderAudit } from './ui/audit-panel.js';
import { addNote, addUserTurn, createTurnRenderer } from './ui/chat-panel.js';
import { chosenScopes, chosenTTL, renderBundle, renderScopeChoices, renderTimeLeft } from './ui/consent-panel.js';
import { $, describeError, say } from './ui/dom.js';
import { readyText, setUpModelPanel } from './ui/model-panel.js';

const tools = createDemoTools();
let config: PlaygroundConfig;
let session: Session | null = null;
let engine: Engine | null = null;
let busy = false;
let revokedNoted = false;
const messages: ChatMessage[] = [];

function updateControls(): void {
  const ready = session !== null && engine !== null && !busy;
  $<HTMLInputElement>('chat-input').disabled = !ready;
  $<HTMLButtonElement>('send').disabled = !ready;
  for (const id of ['sync', 'export', 'revoke', 'refresh', 'check', 'forget']) $<HTMLButtonElement>(id).disabled = session === null || busy;
  $<HTMLButtonElement>('provision').disabled = busy;
}

async function refreshViews(): Promise<void> {
  renderBundle(session, await session?.revocation() ?? null);
  await renderAudit(session);
  updateControls();
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
    say(msg, 'Asking for a one-time enrollment code, then redeeming it at the authority…');
    session = await Session.provision(scopes, chosenTTL());
    revokedNoted = false;
    // A new grant starts a new conversation: nothing said under the old one carries over.
    messages.length = 0;
    $('transcript').replaceChildren();
    $<HTMLInputElement>('chat-input').placeholder = 'How warm is the kitchen?';
    addNote(`New consent: bundle ${session.bundle.bundleId} may use ${scopes.join(', ')}.`, 'consent');
    say(msg, `Consent bundle ${session.bundle.bundleId} redeemed with an audit key made in this browser, and stored sealed with its device key.`);
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
    await session!.forget();
    session = null;
    messages.length = 0;
    say(msg, 'Bundle deleted from this browser. Its audit trail stays in IndexedDB.');
  }));
}

function wireAudit(): void {
  const msg = $('sync-msg'), bar = $<HTMLProgressElement>('sync-progress');
  $('sync').addEventListener('click', () => act(msg, async () => {
    say(msg, 'Syncing…');
    bar.hidden = false;
    bar.value = 0;
    const result = await session!.sync(({ synced, total }) => { bar.value = total ? synced / total : 1; });
    bar.hidden = true;
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
          if (event.type === 'tool-result') void renderAudit(session);
          if (event.type === 'halted') $<HTMLInputElement>('chat-input').placeholder = 'The agent is halted';
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
