// pi-thermostat: a thermostat agent for a Raspberry Pi, built on offline-consent.
// 1. Enrolls once with a one-time code (the device never holds the tenant API key) and keeps
//    the bundle sealed on disk. 2. Runs guarded GPIO tools with no network: every call is
//    verified, scope-checked and appended to a signed file audit log. 3. Syncs the trail with
//    device proofs once the authority answers again.
import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createAgentGuard, createOfflineAuditLog, createOfflineVerifier, loadBundle, redeemEnrollment, storeBundle, syncAuditLog } from 'offline-consent';
import { createBoard } from './board.mjs';

const TARGET_CELSIUS = 20;
const RETRY_EVERY_MS = 1000;

const say = (label, text) => console.log(`${label.padEnd(10)}${text}`);

/** Flags first, then environment variables; the bundle key only ever from the environment. */
function readInputs() {
  const { values } = parseArgs({
    options: {
      authority: { type: 'string' },
      code: { type: 'string' },
      data: { type: 'string' },
      ticks: { type: 'string', default: '5' },
      'interval-ms': { type: 'string', default: '1000' },
      'sync-wait-s': { type: 'string', default: '60' },
    },
  });
  const count = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer of at least ${min}, got ${values[name]}`);
    return n;
  };
  const key = process.env.OFFLINE_CONSENT_BUNDLE_KEY;
  if (!key) throw new Error('set OFFLINE_CONSENT_BUNDLE_KEY (a passphrase, or 64 hex characters): it seals the bundle on disk');
  return {
    authority: values.authority ?? process.env.THERMOSTAT_AUTHORITY,
    code: values.code ?? process.env.THERMOSTAT_CODE,
    dir: values.data ?? process.env.THERMOSTAT_DATA ?? 'thermostat-data',
    key,
    ticks: count('ticks', 1),
    intervalMs: count('interval-ms', 0),
    syncWaitS: count('sync-wait-s', 0),
  };
}

/** Redeems the code once and seals the bundle at `path`; a later run finds the file and skips this. */
async function enrollOnce({ authority, code, key }, path) {
  if (existsSync(path)) return say('bundle', `already enrolled, using ${path}`);
  if (!authority || !code) throw new Error(`not enrolled yet (no ${path}): give --authority URL and --code oce_… (or THERMOSTAT_AUTHORITY and THERMOSTAT_CODE)`);
  const bundle = await redeemEnrollment({ baseUrl: authority, code, deviceId: hostname(), devicePlatform: `${process.platform}-${process.arch}` }).catch((error) => {
    throw new Error(`enrollment failed: ${error.message}`);
  });
  await storeBundle(bundle, path, key);
  say('enrolled', `redeemed the code at ${authority}; bundle sealed in ${path}`);
}

/** Thermostat ticks with no network: read the sensor, switch the heater; a refusal is audited and reported, not fatal. */
async function runOffline(tools, { ticks, intervalMs }) {
  for (let tick = 1; tick <= ticks; tick++) {
    const celsius = await tools.readTemperature();
    const want = celsius < TARGET_CELSIUS;
    const heater = await tools.setHeater(want).then(
      (level) => `heater ${level ? 'on' : 'off'}`,
      (error) => {
        if (!error.code) throw error;
        return `heater refused (${error.code})`;
      },
    );
    say('offline', `tick ${tick}: ${celsius.toFixed(1)} °C → ${heater}`);
    if (tick < ticks) await sleep(intervalMs);
  }
}

/** Syncs with device proofs; while the authority is unreachable (or busy), retries until `waitS` seconds have passed. */
async function syncWhenOnline(log, bundle, waitS) {
  const deadline = Date.now() + waitS * 1000;
  for (let attempt = 1; ; attempt++) {
    const result = await syncAuditLog(log, { bundle, retryDelaysMs: [] });
    if (!result.hasErrors) return result;
    const { code, message, status } = result.errors[0];
    const transient = code === 'NETWORK_ERROR' || code === 'TIMEOUT' || (code === 'HTTP_ERROR' && (status === 429 || status >= 500));
    if (!transient) throw new Error(`sync refused: ${message} (${code})`);
    if (Date.now() >= deadline) throw new Error(`the authority stayed unreachable for ${waitS} s; ${await log.unsyncedCount()} entries wait for the next sync`);
    if (attempt === 1) say('sync', `authority unreachable (${code}); retrying every ${RETRY_EVERY_MS / 1000} s for up to ${waitS} s`);
    await sleep(RETRY_EVERY_MS);
  }
}

async function main() {
  const inputs = readInputs();
  mkdirSync(inputs.dir, { recursive: true });
  const bundlePath = join(inputs.dir, 'bundle.bin');
  const logPath = join(inputs.dir, 'audit.jsonl');
  await enrollOnce(inputs, bundlePath);

  // From here on nothing needs the network until the sync.
  const bundle = await loadBundle(bundlePath, inputs.key);
  const grant = await createOfflineVerifier({ jwksSnapshot: bundle.jwksSnapshot }).verify(bundle.grantToken);
  say('grant', `bundle ${bundle.bundleId}, scopes ${grant.scopes.join(', ')}, offline until ${bundle.offlineExpiresAt}`);
  const log = createOfflineAuditLog({ bundle, logPath, onRecover: (r) => say('repaired', r.message) });
  try {
    const guard = createAgentGuard({ bundle, auditLog: log });
    const board = createBoard();
    const tools = {
      readTemperature: () => guard.run('sensor.read', ['sensor:read'], () => board.readTemperature()),
      setHeater: (on) => guard.run('heater.set', ['heater:write'], () => board.setHeater(on), { metadata: { on } }),
    };
    await runOffline(tools, inputs);
    const { count } = await log.verify();
    say('log', `${count} signed entries in ${logPath}, chain verifies; ${await log.unsyncedCount()} to sync`);

    const synced = await syncWhenOnline(log, bundle, inputs.syncWaitS);
    say('synced', `${synced.syncedCount} entries accepted by the authority; consent ${synced.revocationStatus === 'revoked' ? 'REVOKED: tool calls are refused from now on' : synced.revocationStatus}`);
  } finally {
    await log.close();
  }
}

try {
  await main();
} catch (error) {
  console.error(`pi-thermostat: ${String(error?.message ?? error).replace(/\s*\n\s*/g, ' ')}`);
  process.exitCode = 1;
}
