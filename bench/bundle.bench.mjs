// loadBundle time per layout (read file + detect + decrypt + validate), beside @grantex/gemma's
// loadBundle on the same legacy file, and what PBKDF2 iteration counts cost on this machine.
// Run: npm run bench:bundle
import { loadBundle as upstreamLoad } from '@grantex/gemma';
import { scrypt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle, openBundle, sealBundle, storeBundle } from '../dist/node.js';
import { saveResults } from './results.mjs';

const vectors = JSON.parse(readFileSync(new URL('../test/vectors/interop-vectors.json', import.meta.url), 'utf8'));
const bundle = vectors.legacyBundle.bundle;
const PASS = vectors.legacyBundle.passphrase;
const HEX = vectors.pythonBundle.keyHex;
const aesKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
const nodeScrypt = (password, salt, { N, r, p, dkLen }) =>
  new Promise((ok, fail) => scrypt(password, salt, dkLen, { N, r, p, maxmem: 256 * 1024 * 1024 }, (e, k) => (e ? fail(e) : ok(new Uint8Array(k)))));

const dir = mkdtempSync(join(tmpdir(), 'oc-bundle-bench-'));
const file = (name, bytes) => (writeFileSync(join(dir, name), bytes), join(dir, name));

// Each case runs ROUNDS times, interleaved with the others; the best round counts (least noise).
const ROUNDS = 3;
async function measureAll(cases) {
  const best = cases.map(() => Infinity);
  for (const c of cases) await c.fn(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, c] of cases.entries()) {
      const t0 = performance.now();
      for (let i = 0; i < c.n; i++) await c.fn();
      best[k] = Math.min(best[k], (performance.now() - t0) / c.n);
    }
  }
  return cases.map((c, k) => ({ case: c.name, n: c.n, 'ms/op': +best[k].toFixed(3) }));
}

const own = join(dir, 'own-pass.bin');
await storeBundle(bundle, own, PASS);
const ownRaw = join(dir, 'own-raw.bin');
await storeBundle(bundle, ownRaw, HEX);
const ownKey = join(dir, 'own-cryptokey.bin');
await storeBundle(bundle, ownKey, aesKey);
const legacy = join(dir, 'legacy.bin');
await storeBundle(bundle, legacy, PASS, { format: 'legacy' });
const python = file('python.b64', vectors.pythonBundle.fileText);
const gtxb = file('gtxb.bin', Buffer.from(vectors.scryptBundle.fileBase64, 'base64'));

const layouts = await measureAll([
  { name: 'own, 64-hex raw key (no KDF)', n: 500, fn: () => loadBundle(ownRaw, HEX) },
  { name: 'own, AES-GCM CryptoKey (no KDF)', n: 500, fn: () => loadBundle(ownKey, aesKey) },
  { name: 'upstream legacy (SHA-256 of passphrase)', n: 500, fn: () => loadBundle(legacy, PASS) },
  { name: '@grantex/gemma loadBundle, same legacy file', n: 500, fn: () => upstreamLoad(legacy, PASS) },
  { name: 'upstream Python (64-hex key, base64)', n: 500, fn: () => loadBundle(python, HEX) },
  { name: 'own, passphrase (PBKDF2-SHA-256 600,000)', n: 3, fn: () => loadBundle(own, PASS) },
  { name: 'upstream GTXB (node:crypto scrypt N=2^17 r=8)', n: 3, fn: () => loadBundle(gtxb, PASS, { scrypt: nodeScrypt }) },
]);
const base = layouts[0]['ms/op'];
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ${new Date().toISOString()}`);
console.log('loadBundle per layout (file read, detect, decrypt, validate):');
console.table(layouts.map((r) => ({ ...r, 'x raw key': +(r['ms/op'] / base).toFixed(1) })));

// PBKDF2 is slow on purpose: each iteration count, as openBundle pays it once per open.
const counts = [100_000, 310_000, 600_000, 1_000_000];
const sealed = await Promise.all(counts.map((iterations) => sealBundle(bundle, PASS, { iterations })));
const kdf = await measureAll(counts.map((iterations, i) => ({ name: `PBKDF2-SHA-256 ${iterations.toLocaleString('en')}`, n: 3, fn: () => openBundle(sealed[i], PASS) })));
const at600 = kdf[2]['ms/op'];
console.log('openBundle by PBKDF2 iteration count (the stored count is what a reader pays):');
console.table(kdf.map((r) => ({ ...r, 'x 600,000': +(r['ms/op'] / at600).toFixed(2), 'opens/s, one thread': Math.round(1000 / r['ms/op']) })));
saveResults('bundle', [...layouts.map((r) => ({ ...r, case: `loadBundle: ${r.case}` })), ...kdf.map((r) => ({ ...r, case: `openBundle: ${r.case}` }))]);
rmSync(dir, { recursive: true, force: true });
