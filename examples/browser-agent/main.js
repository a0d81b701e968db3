// browser-agent: the page's agent. It redeems the one-time code from the URL with a key the
// page cannot read out (non-extractable), keeps the bundle in IndexedDB sealed with the
// browser's device key, runs two guarded tools into an IndexedDB audit log with no network,
// then syncs the trail with device proofs to the authority on its own origin (CORS).
import { createAgentGuard, createOfflineAuditLog, createOfflineVerifier, loadBundle, redeemEnrollment, storeBundle, syncAuditLog } from 'offline-consent';

const NAME = 'browser-agent'; // the IndexedDB record of the bundle, and the name of the log
const params = new URLSearchParams(location.search);

const show = (id, text) => (document.getElementById(id).textContent = text);
function setState(state, text) {
  document.body.dataset.state = state;
  show('state', text);
}
function listCall(text, outcome) {
  const item = Object.assign(document.createElement('li'), { className: outcome, textContent: text });
  document.getElementById('calls').append(item);
}

/** The stored bundle; on the first visit, redeems `?code=` and stores what comes back. */
async function enrolledBundle() {
  try {
    return { bundle: await loadBundle(NAME), stored: 'earlier visit' };
  } catch (error) {
    if (error.code !== 'BUNDLE_NOT_FOUND') throw error;
  }
  const authority = params.get('authority');
  const code = params.get('code');
  if (!authority || !code) throw new Error('Not enrolled yet: open this page with ?authority=URL&code=oce_… (a one-time code from your backend).');
  setState('working', 'Enrolling…');
  const redeemed = await redeemEnrollment({ baseUrl: authority, code, extractable: false, devicePlatform: 'browser' }).catch((error) => {
    throw new Error(`Enrollment failed: ${error.message}`);
  });
  await storeBundle(redeemed, NAME, undefined, { keepSigningKeyAsCryptoKey: true }); // sealed with this browser's device key
  params.delete('code'); // a used code has no business in the address bar or the history
  history.replaceState(null, '', `${location.pathname}?${params}`);
  return { bundle: await loadBundle(NAME), stored: 'this visit' };
}

/** The page's tools: one reads a sensor, one changes the thermostat. Each goes through the guard. */
function thermostatTools(guard) {
  const room = { celsius: 21.5, setpoint: 20 };
  return {
    readTemperature: () => guard.run('sensor.read', ['sensor:read'], () => room.celsius),
    setThermostat: (celsius) => guard.run('thermostat.set', ['thermostat:write'], () => (room.setpoint = celsius), { metadata: { celsius } }),
  };
}

/** Runs a tool and lists the outcome; a refusal is expected and shown, any other error stops the page. */
async function call(label, tool, describe) {
  try {
    listCall(`${label} → ${describe(await tool())}`, 'allowed');
  } catch (error) {
    if (!error.code) throw error;
    listCall(`${label} → refused: ${error.code}`, 'refused');
  }
}

async function main() {
  const { bundle, stored } = await enrolledBundle();
  const grant = await createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot }).verify(bundle.grantToken);
  const key = bundle.offlineAuditKey.privateKey;
  show('bundle', bundle.bundleId);
  show('scopes', grant.scopes.join(', '));
  show('deadline', new Date(bundle.offlineExpiresAt).toLocaleString());
  show('key', `${key.algorithm.name}, ${key.extractable ? 'extractable' : 'non-extractable'} CryptoKey`);
  show('stored', `IndexedDB, sealed with the browser's device key (${stored})`);

  // No network from here until the sync: the grant, the scopes and the trail are all local.
  setState('working', 'Running tools…');
  const log = createOfflineAuditLog({ bundle, logPath: NAME });
  try {
    const tools = thermostatTools(createAgentGuard({ bundle, auditLog: log }));
    await call('sensor.read', tools.readTemperature, (c) => `${c} °C`);
    await call('thermostat.set 22 °C', () => tools.setThermostat(22), (c) => `set to ${c} °C`);
    const { count } = await log.verify();

    setState('working', 'Syncing…');
    const result = await syncAuditLog(log, { bundle });
    if (result.hasErrors) throw new Error(`Sync failed: ${result.errors[0].message} (${result.errors[0].code})`);
    show('sync', `${result.syncedCount} new entries synced to ${new URL(bundle.syncEndpoint).origin}, ${count} in the trail; consent ${result.revocationStatus}.`);
  } finally {
    await log.close();
  }
  setState('done', 'Done');
}

main().catch((error) => {
  const box = document.getElementById('error');
  box.textContent = error.message;
  box.hidden = false;
  setState('error', 'Failed');
});
