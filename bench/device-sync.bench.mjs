// Device-proof sync on one local authority (PGlite on disk, loopback HTTP), side by side in
// one run (PROTOCOL.md §7–§9):
//   1. sync throughput of N entries: an enrolled bundle signing every request with device
//      proofs vs a legacy bundle with the API key (each run twice, in the order D K K D);
//   2. a 1,000-entry sync after 50 refreshes vs after none: enrolled (device refresh, one
//      entry between refreshes), legacy (API-key refresh, one entry synced between), and a
//      legacy bundle whose 50 new keys were never used (all pending);
//   3. 1,000 bad entries (right shape and hash, signed by a wrong Ed25519 key) in one upload:
//      time to the 400, for an enrolled bundle after 50 refreshes, one with none, and a legacy
//      bundle after 50 API-key refreshes with nothing signed between (every entry is tried with
//      the open key and all 50 unused successors: the worst case).
// Run: npm run bench:device -- [--entries N] [--refreshes R]   (defaults 20000, 50)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GENESIS_HASH,
  computeEntryHash,
  createConsentBundle,
  createOfflineAuditLog,
  readGrantIdentity,
  redeemEnrollment,
  refreshBundle,
  signEntryHash,
  syncAuditLog,
} from '../dist/node.js';
import { generateApiKey, startAuthority } from '../dist/authority.js';
import { saveResults } from './results.mjs';

function option(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  const value = Number(args[i].includes('=') ? args[i].split('=')[1] : args[i + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`--${name} must be a positive integer`);
  return value;
}

const N = option('entries', 20_000);
const REFRESHES = option('refreshes', 50);
const BATCH = 1000;
const SMALL = 1000;
const BAD_REPS = 3;
const SCOPES = ['sensor:read'];

const rows = [];
const notes = {};
const row = (section, label, entries, ms) => {
  const r = { case: label, entries, ms: +ms.toFixed(1), 'entries/s': Math.round((entries / ms) * 1000) };
  Object.defineProperty(r, 'section', { value: section, enumerable: false });
  rows.push(r);
  return r;
};
/** × baseline: entries/s over the baseline's (so > 1 is faster, < 1 slower). */
const against = (section, baseline) => {
  for (const r of rows.filter((x) => x.section === section)) r['× baseline'] = +(r['entries/s'] / baseline).toFixed(2);
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'oc-device-sync-bench-'));
const apiKey = generateApiKey();
const server = await startAuthority({ dataDir: join(dir, 'db'), rateLimits: false, apiKey });
const logs = new Set();
try {
  const api = async (method, path, body) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    return json;
  };
  const { agentId } = await api('POST', '/v1/agents', { name: 'device-bench', scopes: SCOPES });
  let users = 0;
  /** The backend mints a code with the API key; the device redeems it with a key it made itself. */
  const enrolled = async () => {
    const { code } = await api('POST', '/v1/enrollments', { agentId, userId: `u${++users}`, scopes: SCOPES });
    return redeemEnrollment({ baseUrl: server.url, code });
  };
  const legacy = () => createConsentBundle({ apiKey, baseUrl: server.url, agentId, userId: `u${++users}`, scopes: SCOPES });
  let paths = 0;
  const openLog = (bundle, path = join(dir, `log${++paths}.jsonl`)) => {
    const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: path, durability: 'none' });
    log.path = path;
    logs.add(log);
    return log;
  };
  const closeLog = async (log) => {
    logs.delete(log);
    await log.close();
  };
  /** n guard-shaped entries (the guard's fields, from the bundle's own token), 1000 in flight at a time. */
  const append = async (log, bundle, n) => {
    const { agentDID, grantId } = readGrantIdentity(bundle.grantToken);
    for (let i = 0; i < n; i += 1000) {
      await Promise.all(
        Array.from({ length: Math.min(1000, n - i) }, (_, j) =>
          log.append({ action: 'sensor.read', agentDID, grantId, scopes: SCOPES, result: 'success', metadata: { reading: 20 + ((i + j) % 10) / 10, i: i + j } }),
        ),
      );
    }
  };
  const byDevice = (bundle) => ({ bundle, batchSize: BATCH });
  const byApiKey = (bundle) => ({ endpoint: bundle.syncEndpoint, apiKey, bundleId: bundle.bundleId, batchSize: BATCH });
  const timedSync = async (log, options, expected) => {
    const t0 = performance.now();
    const result = await syncAuditLog(log, options);
    const ms = performance.now() - t0;
    if (result.hasErrors || result.syncedCount !== expected) throw new Error(`sync failed (${result.syncedCount}/${expected}): ${JSON.stringify(result.errors.slice(0, 3))}`);
    return ms;
  };

  // Warm-up (not recorded): both paths once, so neither timed run pays for JIT or first queries.
  for (const [bundle, how] of [[await enrolled(), byDevice], [await legacy(), byApiKey]]) {
    const log = openLog(bundle);
    await append(log, bundle, 2 * BATCH);
    await timedSync(log, how(bundle), 2 * BATCH);
    await closeLog(log);
  }

  // 1. Throughput: device proofs vs API key, D K K D, each round appending N fresh entries first.
  {
    const device = await enrolled();
    const keyed = await legacy();
    const logD = openLog(device);
    const logK = openLog(keyed);
    const runs = { device: [], apiKey: [] };
    for (const order of [['device', 'apiKey'], ['apiKey', 'device']]) {
      await append(logD, device, N);
      await append(logK, keyed, N);
      for (const which of order) {
        const ms = which === 'device' ? await timedSync(logD, byDevice(device), N) : await timedSync(logK, byApiKey(keyed), N);
        runs[which].push(ms);
        row(1, `1. sync ${which === 'device' ? 'enrolled, device proofs' : 'legacy, API key'} (run ${runs[which].length})`, N, ms);
      }
    }
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const keyRate = (N / mean(runs.apiKey)) * 1000;
    against(1, keyRate);
    notes.throughputRatio = +(mean(runs.apiKey) / mean(runs.device)).toFixed(3);
    await closeLog(logD);
    await closeLog(logK);
  }

  // 2. A 1,000-entry sync after REFRESHES refreshes vs none.
  const refreshed = await enrolled(); // A: device refreshes, one entry between (each refresh syncs first)
  const logA = openLog(refreshed);
  let A = refreshed;
  let t0 = performance.now();
  for (let i = 0; i < REFRESHES; i++) {
    await append(logA, A, 1);
    A = await refreshBundle(A, { log: logA });
  }
  notes.deviceRefreshMs = +((performance.now() - t0) / REFRESHES).toFixed(1);
  if ((await logA.keySpans()).length !== REFRESHES + 1) throw new Error('device refreshes did not record a key span each');

  const B = await enrolled(); // B: never refreshed
  const logB = openLog(B);

  let L = await legacy(); // legacy device: one entry synced between API-key refreshes, a new log object per key
  let logL = openLog(L);
  t0 = performance.now();
  for (let i = 0; i < REFRESHES; i++) {
    await append(logL, L, 1);
    await timedSync(logL, byApiKey(L), 1);
    L = await refreshBundle(L, apiKey);
    const path = logL.path;
    await closeLog(logL);
    logL = openLog(L, path);
  }
  notes.apiKeyRefreshMs = +((performance.now() - t0) / REFRESHES).toFixed(1);

  let P = await legacy(); // legacy, REFRESHES API-key refreshes with nothing signed between: all new keys pending
  for (let i = 0; i < REFRESHES; i++) P = await refreshBundle(P, apiKey);
  const logP = openLog(P);

  const L0 = await legacy(); // legacy, never refreshed
  const logL0 = openLog(L0);

  const small = [
    ['2. enrolled, no refresh (baseline)', logB, B, byDevice],
    [`2. enrolled, ${REFRESHES} device refreshes`, logA, A, byDevice],
    ['2. legacy, no refresh', logL0, L0, byApiKey],
    [`2. legacy, ${REFRESHES} API-key refreshes (1 entry between)`, logL, L, byApiKey],
    [`2. legacy, ${REFRESHES} API-key refreshes (all keys pending)`, logP, P, byApiKey],
  ];
  for (const [, log, bundle] of small) await append(log, bundle, SMALL);
  for (const [label, log, bundle, how] of small) row(2, label, SMALL, await timedSync(log, how(bundle), SMALL));
  against(2, rows.find((r) => r.section === 2)['entries/s']);

  // 3. 1,000 bad entries in one upload, posted raw with the API key: time to the 400.
  let W = await legacy(); // worst case: REFRESHES API-key refreshes, no entry ever signed
  for (let i = 0; i < REFRESHES; i++) W = await refreshBundle(W, apiKey);
  const wrong = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  /** SMALL entries chained from the log head, hashed right, signed by a key the authority never issued. */
  const badEntries = async (bundle, head) => {
    const { agentDID, grantId } = readGrantIdentity(bundle.grantToken);
    const out = [];
    let prevHash = head?.hash ?? GENESIS_HASH;
    for (let k = 1; k <= SMALL; k++) {
      const base = { seq: (head?.seq ?? 0) + k, timestamp: new Date().toISOString(), action: 'sensor.read', agentDID, grantId, scopes: SCOPES, result: 'success', metadata: { i: k }, prevHash };
      const hash = await computeEntryHash(base);
      out.push({ ...base, hash, signature: await signEntryHash(wrong.privateKey, hash) });
      prevHash = hash;
    }
    return out;
  };
  const bad = [
    ['3. bad upload, enrolled, no refresh (baseline)', B, await badEntries(B, await logB.head())],
    [`3. bad upload, enrolled, ${REFRESHES} device refreshes`, A, await badEntries(A, await logA.head())],
    [`3. bad upload, legacy, ${REFRESHES} API-key refreshes, ${REFRESHES} keys pending`, W, await badEntries(W, null)],
  ];
  const times = bad.map(() => []);
  for (let rep = 0; rep < BAD_REPS; rep++) {
    for (let k = 0; k < bad.length; k++) {
      const i = (k + rep) % bad.length; // rotate the order between repetitions
      const [label, bundle, entries] = bad[i];
      const body = JSON.stringify({ bundleId: bundle.bundleId, entries });
      const t = performance.now();
      const res = await fetch(`${server.url}/v1/audit/offline-sync`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body });
      const answer = await res.json();
      times[i].push(performance.now() - t);
      const errors = answer.details?.errors ?? answer.errors ?? answer.data?.errors;
      if (res.status !== 400 || answer.code !== 'INVALID_AUDIT_ENTRIES' || !Array.isArray(errors) || errors.length !== SMALL || errors.some((e) => e.code !== 'INVALID_SIGNATURE')) {
        throw new Error(`${label}: expected 400 with ${SMALL} INVALID_SIGNATURE, got ${res.status} ${JSON.stringify(answer).slice(0, 300)}`);
      }
    }
  }
  bad.forEach(([label], i) => row(3, `${label}, median of ${BAD_REPS}`, SMALL, median(times[i])));
  notes.badUploadMs = Object.fromEntries(bad.map(([label], i) => [label, times[i].map((ms) => +ms.toFixed(1))]));
  against(3, rows.find((r) => r.section === 3)['entries/s']);

  for (const log of [...logs]) await closeLog(log);
} finally {
  await Promise.allSettled([...logs].map((log) => log.close()));
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${new Date().toISOString()}`);
console.log(`${N} entries per throughput run, batches of ${BATCH}; ${REFRESHES} refreshes; PGlite on disk over loopback HTTP`);
console.table(rows);
console.log(`device proofs / API key throughput (mean of 2 runs each): ${notes.throughputRatio}×`);
console.log(`per refresh: device ${notes.deviceRefreshMs} ms (sync of 1 entry + new key + proof), API key ${notes.apiKeyRefreshMs} ms (incl. syncing the 1 entry)`);
console.log(`bad uploads, every run (ms): ${JSON.stringify(notes.badUploadMs)}`);
const record = { at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, entries: N, refreshes: REFRESHES, batchSize: BATCH, rows, notes };
writeFileSync(new URL('./device-sync-results.json', import.meta.url), `${JSON.stringify(record, null, 2)}\n`);
saveResults('device-sync', rows);
