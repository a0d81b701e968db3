// verifyChain with signatures: throughput over 100,000 entries in memory, and 1,000,000
// entries streamed from a JSONL file in bounded memory. Run: npm run bench:chain [-- entries]
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createOfflineAuditLog, verifyChain } from '../dist/node.js';
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
// The whole file streamed: sample RSS growth while verifying.
// Runs first, on a fresh heap, so the growth measured is the streaming check's own.
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
const heapBefore = process.memoryUsage().heapUsed;
let peak = rssBefore;
let heapPeak = heapBefore;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  heapPeak = Math.max(heapPeak, m.heapUsed);
}, 20);
const t = performance.now();
const r = await verifyChain(stream(), { publicKey: vectors.auditKey.publicKey });
const s = (performance.now() - t) / 1000;
clearInterval(sampler);
if (!r.valid) throw new Error('chain invalid');
rows.push({ case: `verifyChain ${BIG.toLocaleString('en')} streamed from JSONL, with signatures`, entries: r.count, seconds: +s.toFixed(1), 'entries/s': Math.round(r.count / s), 'RSS growth MB': +((peak - rssBefore) / 2 ** 20).toFixed(1), 'heap growth MB': +((heapPeak - heapBefore) / 2 ** 20).toFixed(1) });
// 100,000 in memory.
const hundredK = [];
for await (const e of stream(100_000)) hundredK.push(e);
for (const [label, opts] of [['hash chain only', {}], ['with Ed25519 signatures', { publicKey: vectors.auditKey.publicKey }]]) {
  const t = performance.now();
  const r = await verifyChain(hundredK, opts);
  const s = (performance.now() - t) / 1000;
  if (!r.valid) throw new Error('chain invalid');
  rows.push({ case: `verifyChain 100,000 in memory, ${label}`, entries: r.count, seconds: +s.toFixed(2), 'entries/s': Math.round(r.count / s) });
}
{
  // Upstream checks hashes only (no signatures), synchronously with node:crypto.
  const t = performance.now();
  const r = upstreamVerifyChain(hundredK);
  const s = (performance.now() - t) / 1000;
  if (!r.valid) throw new Error('upstream says invalid');
  rows.push({ case: '@grantex/gemma verifyChain 100,000 in memory (hashes only)', entries: hundredK.length, seconds: +s.toFixed(2), 'entries/s': Math.round(hundredK.length / s) });
  for (const row of rows) row['x upstream (hashes)'] = +(row['entries/s'] / rows.at(-1)['entries/s']).toFixed(2);
}
hundredK.length = 0;
globalThis.gc?.();

rmSync(dir, { recursive: true, force: true });

console.log(`node ${process.version}; log of ${BIG.toLocaleString('en')} entries written in ${writeS.toFixed(1)} s`);
console.table(rows);
saveResults('chain', rows);
