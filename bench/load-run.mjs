// The load run shared by `npm run bench:load` and test/node/load: N simulated devices, each with
// its own bundle and file audit log, append their entries, then all sync at once in batches
// to one authority (its own process, loopback HTTP). Afterwards every device's trail is read
// back from the authority and compared entry by entry, and every stored chain re-verified.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createConsentBundle, createOfflineAuditLog, syncAuditLog, verifyChain } from '../dist/node.js';
import { generateApiKey } from '../dist/authority.js';

/** Starts `load.bench.mjs --serve` (startAuthority in a child process); resolves with its URL. */
function startAuthorityProcess(options) {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'load.bench.mjs'), '--serve', JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`authority exited early (${code})`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      child.removeAllListeners('exit');
      const stopped = new Promise((r) => child.once('exit', r));
      resolve({ url: JSON.parse(line).url, stop: () => (child.kill('SIGTERM'), stopped) });
    });
  });
}

async function api(url, apiKey, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function storedEntries(url, apiKey, bundleId) {
  const out = [];
  for (let after = 0; ; ) {
    const page = await api(url, apiKey, 'GET', `/v1/consent-bundles/${bundleId}/audit?afterSeq=${after}&limit=1000`);
    out.push(...page.entries);
    if (!page.hasMore) return out;
    after = page.nextAfterSeq;
  }
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const round = (x, digits = 1) => Number(x.toFixed(digits));

/**
 * One engine: `location` is `{ dataDir }` (PGlite) or `{ databaseUrl }` (PostgreSQL).
 * Returns the figures and the correctness counts; throws only when the run itself breaks.
 */
export async function runLoad({ engine, location, devices, entries, batchSize }) {
  const dir = mkdtempSync(join(tmpdir(), 'oc-load-'));
  const apiKey = generateApiKey();
  const authority = await startAuthorityProcess({ ...location, apiKey, rateLimits: false });
  try {
    const { agentId } = await api(authority.url, apiKey, 'POST', '/v1/agents', { name: 'load', scopes: ['sensor:read'] });
    const fleet = [];
    for (let d = 0; d < devices; d++) {
      const bundle = await createConsentBundle({ apiKey, baseUrl: authority.url, agentId, userId: `user_${d}`, scopes: ['sensor:read'], deviceId: `device_${d}` });
      const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: join(dir, `device-${d}.jsonl`), durability: 'none' });
      const claims = JSON.parse(Buffer.from(bundle.grantToken.split('.')[1], 'base64url'));
      fleet.push({ d, bundle, log, agentDID: claims.agt, grantId: claims.grnt });
    }

    // Appending: hashing and Ed25519 signing (Web Crypto) of every entry, in 1000-entry bursts.
    const t0 = performance.now();
    for (const dev of fleet) {
      for (let i = 0; i < entries; i += 1000) {
        await Promise.all(Array.from({ length: Math.min(1000, entries - i) }, (_, j) =>
          dev.log.append({ action: 'sensor.read', agentDID: dev.agentDID, grantId: dev.grantId, scopes: ['sensor:read'], result: 'success', metadata: { device: dev.d, i: i + j } })));
      }
    }
    const appendS = (performance.now() - t0) / 1000;

    // The storm: every device syncs at the same time; each POST's latency is timed.
    const latencies = [];
    const timedFetch = async (input, init) => {
      const start = performance.now();
      const res = await fetch(input, init);
      const body = await res.arrayBuffer();
      if (String(input).endsWith('/offline-sync')) latencies.push(performance.now() - start);
      return new Response(body, { status: res.status, headers: res.headers });
    };
    const t1 = performance.now();
    const results = await Promise.all(fleet.map((dev) =>
      syncAuditLog(dev.log, { endpoint: dev.bundle.syncEndpoint, apiKey, bundleId: dev.bundle.bundleId, deviceId: `device_${dev.d}`, batchSize, fetch: timedFetch })));
    const syncS = (performance.now() - t1) / 1000;

    // Exactly once, and every chain verifies: the authority's copy against each device's log.
    const t2 = performance.now();
    let stored = 0;
    let missing = 0;
    let duplicates = 0;
    let mismatched = 0;
    let chainsVerified = 0;
    for (const dev of fleet) {
      const mine = await dev.log.entries();
      const theirs = await storedEntries(authority.url, apiKey, dev.bundle.bundleId);
      stored += theirs.length;
      const seen = new Map();
      for (const e of theirs) {
        if (seen.has(e.seq)) duplicates++;
        seen.set(e.seq, e.hash);
      }
      for (const e of mine) {
        if (!seen.has(e.seq)) missing++;
        else if (seen.get(e.seq) !== e.hash) mismatched++;
      }
      const check = await verifyChain(theirs, { publicKey: dev.bundle.offlineAuditKey.publicKey });
      if (check.valid && check.count === entries) chainsVerified++;
      await dev.log.close();
    }
    const verifyS = (performance.now() - t2) / 1000;

    latencies.sort((a, b) => a - b);
    const total = devices * entries;
    return {
      engine,
      devices,
      entriesPerDevice: entries,
      batchSize,
      requests: latencies.length,
      appendSeconds: round(appendS),
      appendEntriesPerSecond: Math.round(total / appendS),
      syncSeconds: round(syncS),
      syncEntriesPerSecond: Math.round(total / syncS),
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      maxMs: round(latencies[latencies.length - 1]),
      verifySeconds: round(verifyS),
      expected: total,
      stored,
      missing,
      duplicates,
      mismatched,
      chainsVerified,
      syncErrors: results.reduce((n, r) => n + r.errors.length, 0),
      bundleIds: fleet.map((dev) => dev.bundle.bundleId),
    };
  } finally {
    await authority.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
