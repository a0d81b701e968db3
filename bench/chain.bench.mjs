// verifyChain with signatures: throughput over 100,000 entries in memory, and 1,000,000
// entries streamed from a JSONL file in bounded memory. Run: npm run bench:chain [-- entries]
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createOfflineAuditLog, entryHashInput, verifyChain } from '../dist/node.js';
import { readFileSync } from 'node:fs';
import { saveResults } from './results.mjs';
import { verifyChain as upstreamVerifyChain } from '@grantex/gemma';

const vectors = JSON.parse(readFileSync(new URL('../test/vectors/interop-vectors.json', import.meta.url), 'utf8'));
const BIG = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'oc-chain-bench-'));
const path = join(dir, 'audit.jsonl');
const entry = (i) => ({ action: 'sensor.read', agentDID: 'did:key:z6MkAgent', grantId: 'grnt_01HX', scopes: ['sensor:read'], result: 'success', metadata: { i } });

const log = createOfflineAuditLog({ signingKey: vectors.auditKey, logPath: path, durability: 'none' });
const t0 = performance.now();
for (let i = 0; i < BIG; i += 1000) await Promise.all(Array.from({ length: Math.min(1000, BIG - i) }, (_, j) => log.append(entry(i + j))));
const writeS = (performance.now() - t0) / 1000;
await log.close();

async function* stream(limit = Infinity) {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (n++ >= limit) return;
    yield JSON.parse(line);
  }
}

const rows = [];

/** Runs `fn`, sampling RSS and heap every 20 ms; returns its result, seconds and peak growth in MB. */
async function measure(fn) {
  globalThis.gc?.();
  const before = process.memoryUsage();
  let rss = before.rss;
  let heap = before.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 20);
  const t = performance.now();
  const result = await fn();
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  const m = process.memoryUsage();
  rss = Math.max(rss, m.rss);
  heap = Math.max(heap, m.heapUsed);
  return { result, seconds, rssMB: +((rss - before.rss) / 2 ** 20).toFixed(1), heapMB: +((heap - before.heapUsed) / 2 ** 20).toFixed(1) };
}
const row = (name, count, m) => ({ case: name, entries: count, seconds: +m.seconds.toFixed(2), 'entries/s': Math.round(count / m.seconds), 'RSS growth MB': m.rssMB, 'heap growth MB': m.heapMB });

// The whole file streamed; runs first, on a fresh heap, so the growth measured is the streaming check's own.
{
  const m = await measure(() => verifyChain(stream(), { publicKey: vectors.auditKey.publicKey }));
  if (!m.result.valid) throw new Error('chain invalid');
  rows.push(row(`verifyChain ${BIG.toLocaleString('en')} streamed from JSONL, with signatures`, m.result.count, m));
}
// 100,000 in memory (the array itself is not counted: it exists before each run).
const hundredK = [];
for await (const e of stream(100_000)) hundredK.push(e);
for (const [label, opts] of [['hash chain only', {}], ['with Ed25519 signatures', { publicKey: vectors.auditKey.publicKey }]]) {
  const m = await measure(() => verifyChain(hundredK, opts));
  if (!m.result.valid) throw new Error('chain invalid');
  rows.push(row(`verifyChain 100,000 in memory, ${label}`, m.result.count, m));
}
{
  // The ceiling: sequential crypto.subtle.digest of the same 100,000 hash inputs (each hash needs the one before).
  const inputs = hundredK.map((e) => new TextEncoder().encode(entryHashInput(e)));
  const m = await measure(async () => {
    for (const input of inputs) await crypto.subtle.digest('SHA-256', input);
  });
  rows.push(row('ceiling: sequential crypto.subtle.digest, same 100,000 inputs', inputs.length, m));
}
{
  // Upstream checks hashes only (no signatures), synchronously with node:crypto.
  const m = await measure(() => upstreamVerifyChain(hundredK));
  if (!m.result.valid) throw new Error('upstream says invalid');
  rows.push(row('@grantex/gemma verifyChain 100,000 in memory (hashes only)', hundredK.length, m));
}
const ceiling = rows.find((r) => r.case.startsWith('ceiling'))['entries/s'];
const upstream = rows.at(-1)['entries/s'];
for (const r of rows) {
  r['x upstream (hashes)'] = +(r['entries/s'] / upstream).toFixed(2);
  r['x digest ceiling'] = +(r['entries/s'] / ceiling).toFixed(2);
}
hundredK.length = 0;
globalThis.gc?.();

rmSync(dir, { recursive: true, force: true });

console.log(`node ${process.version}; log of ${BIG.toLocaleString('en')} entries written in ${writeS.toFixed(1)} s`);
console.table(rows);
saveResults('chain', rows);
