// Verify throughput, side by side in one process: hot (same token), cold (distinct tokens),
// the bare crypto.subtle.verify ceiling, and @grantex/gemma's verify. Run: npm run bench
import { SignJWT, importJWK } from 'jose';
import { readFileSync } from 'node:fs';
import { createOfflineVerifier } from '../dist/node.js';
import { createOfflineVerifier as upstreamVerifier } from '@grantex/gemma';
import { saveResults } from './results.mjs';

const vectors = JSON.parse(readFileSync(new URL('../test/vectors/interop-vectors.json', import.meta.url), 'utf8'));
const N_HOT = 50_000;
const N_COLD = 1_000;

const nowS = Math.floor(Date.now() / 1000);
const snapshot = { keys: [vectors.jwt.publicJwk], fetchedAt: new Date().toISOString(), validUntil: new Date(Date.now() + 86_400_000).toISOString() };
const privateKey = await importJWK(vectors.jwt.privateJwk, 'RS256');
const sign = (i) =>
  new SignJWT({ sub: 'user_alice', agt: 'did:key:z6MkAgent', scp: ['sensor:read'], jti: `tok_${i}`, grnt: 'grnt_1', iat: nowS - 10, exp: nowS + 3600 })
    .setProtectedHeader({ alg: 'RS256', kid: vectors.jwt.publicJwk.kid })
    .sign(privateKey);
const tokens = await Promise.all(Array.from({ length: N_COLD }, (_, i) => sign(i)));

// Each case runs ROUNDS times, interleaved with the others; the best round counts (least noise).
const ROUNDS = 5;
async function timeOnce(n, fn) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return performance.now() - t0;
}
async function measureAll(cases) {
  const best = cases.map(() => Infinity);
  for (const c of cases) await timeOnce(Math.min(200, c.n), c.fn); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, c] of cases.entries()) best[k] = Math.min(best[k], await timeOnce(c.n, c.fn));
  }
  return cases.map((c, k) => ({ name: c.name, n: c.n, opsPerSec: Math.round((c.n / best[k]) * 1000), usPerOp: +((best[k] * 1000) / c.n).toFixed(2) }));
}

const ours = createOfflineVerifier({ jwksSnapshot: snapshot, requireScopes: ['sensor:read'] });
// Cold: cache off, so every call (warm-up included) does the full RSA verification.
const cold = createOfflineVerifier({ jwksSnapshot: snapshot, requireScopes: ['sensor:read'], cacheSize: 0 });
const upstream = upstreamVerifier({ jwksSnapshot: snapshot, requireScopes: ['sensor:read'] });
const rsaKey = await crypto.subtle.importKey('jwk', vectors.jwt.publicJwk, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
const parts = tokens.map((t) => {
  const [h, p, s] = t.split('.');
  return { data: new TextEncoder().encode(`${h}.${p}`), sig: Buffer.from(s, 'base64url') };
});

const rows = await measureAll([
  { name: 'ceiling: bare subtle.verify (pre-imported key)', n: N_COLD, fn: (i) => crypto.subtle.verify('RSASSA-PKCS1-v1_5', rsaKey, parts[i].sig, parts[i].data) },
  { name: 'offline-consent verify, cold (distinct tokens)', n: N_COLD, fn: (i) => cold.verify(tokens[i]) },
  { name: 'offline-consent verify, hot (same token)', n: N_HOT, fn: () => ours.verify(tokens[0]) },
  { name: '@grantex/gemma verify (same token)', n: N_COLD, fn: () => upstream.verify(tokens[0]) },
]);

const ceiling = rows[0].opsPerSec;
const up = rows[3].opsPerSec;
console.log(`node ${process.version}, ${new Date().toISOString()}`);
console.table(rows.map((r) => ({ ...r, 'x upstream': +(r.opsPerSec / up).toFixed(2), 'x ceiling': +(r.opsPerSec / ceiling).toFixed(3) })));
saveResults('verify', rows.map((r) => ({ ...r, 'x upstream': +(r.opsPerSec / up).toFixed(2), 'x ceiling': +(r.opsPerSec / ceiling).toFixed(3) })));
