// openBundle time per layout, and what PBKDF2 iteration counts cost here. Run: npm run bench:bundle
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle as upstreamLoad } from '@grantex/gemma';
import { loadBundle, openBundle, sealBundle } from '../dist/node.js';
import { saveResults } from './results.mjs';

const vectors = JSON.parse(readFileSync(new URL('../test/vectors/interop-vectors.json', import.meta.url), 'utf8'));
const bundle = vectors.legacyBundle.bundle;
const PASS = 'correct horse battery staple';
const HEX = vectors.pythonBundle.keyHex;
const aesKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);

async function best(n, fn) {
  let min = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    min = Math.min(min, (performance.now() - t0) / n);
  }
  return min;
}

const cases = [
  ['own, passphrase (PBKDF2 600,000)', await sealBundle(bundle, PASS), PASS, 3],
  ['own, 64-hex raw key', await sealBundle(bundle, HEX), HEX, 500],
  ['own, AES-GCM CryptoKey', await sealBundle(bundle, aesKey), aesKey, 500],
  ['upstream legacy (SHA-256 of passphrase)', await sealBundle(bundle, PASS, { format: 'legacy' }), PASS, 500],
  ['upstream Python (raw key, base64)', new TextEncoder().encode(vectors.pythonBundle.fileText), HEX, 500],
];
const rows = [];
for (const [name, bytes, key, n] of cases) {
  const ms = await best(n, () => openBundle(bytes, key));
  rows.push({ case: `openBundle: ${name}`, 'ms/op': +ms.toFixed(3) });
}
{
  // Same legacy file through both libraries' file loaders.
  const dir = mkdtempSync(join(tmpdir(), 'oc-bundle-bench-'));
  const file = join(dir, 'legacy.bin');
  writeFileSync(file, await sealBundle(bundle, PASS, { format: 'legacy' }));
  const ours = await best(500, () => loadBundle(file, PASS));
  const theirs = await best(500, () => upstreamLoad(file, PASS));
  rows.push({ case: 'loadBundle file, legacy layout: offline-consent', 'ms/op': +ours.toFixed(3), 'x upstream': +(theirs / ours).toFixed(2) });
  rows.push({ case: 'loadBundle file, legacy layout: @grantex/gemma', 'ms/op': +theirs.toFixed(3), 'x upstream': 1 });
  rmSync(dir, { recursive: true, force: true });
}
for (const iterations of [100_000, 310_000, 600_000, 1_000_000]) {
  const sealed = await sealBundle(bundle, PASS, { iterations });
  const ms = await best(3, () => openBundle(sealed, PASS));
  rows.push({ case: `PBKDF2-SHA-256 ${iterations.toLocaleString('en')} iterations (open)`, 'ms/op': +ms.toFixed(1) });
}
console.log(`node ${process.version}`);
console.table(rows);
saveResults('bundle', rows);
