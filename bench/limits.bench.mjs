// The guard's per-call cost with three limits on the called scope (a rate, a budget, a bounds)
// against the same guard and grant scope with none, side by side in one process, on a memory
// log; and the one-time recount of the trail when a guard with limits starts.
// Run: npm run build && node bench/limits.bench.mjs
import { SignJWT, importJWK } from 'jose';
import { readFileSync } from 'node:fs';
import { LIMITS_CLAIM, createAgentGuard, createMemoryAuditStore, createOfflineAuditLog, enforceLimits } from '../dist/node.js';
import { saveResults } from './results.mjs';

const vectors = JSON.parse(readFileSync(new URL('../test/vectors/interop-vectors.json', import.meta.url), 'utf8'));
const N = 2_000;
const ROUNDS = 5;
const nowS = Math.floor(Date.now() / 1000);
const key = await importJWK(vectors.jwt.privateJwk, 'RS256');
const THREE = [
  { scope: 'heat:write', kind: 'rate', max: 1_000_000, per: '1h' },
  { scope: 'heat:write', kind: 'budget', sum: 'amount', max: 1e12, per: '1d' },
  { scope: 'heat:write', kind: 'bounds', arg: 'celsius', min: 5, max: 30 },
];

async function bundleWith(limits) {
  const claims = { sub: 'user_alice', agt: 'did:key:z6MkAgent', scp: ['heat:write'], jti: 'tok_1', grnt: 'grnt_1', iat: nowS - 10, exp: nowS + 3600, ...(limits ? { [LIMITS_CLAIM]: limits } : {}) };
  const grantToken = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: vectors.jwt.publicJwk.kid }).sign(key);
  return {
    bundleId: 'cb_bench',
    grantToken,
    jwksSnapshot: { keys: [vectors.jwt.publicJwk], fetchedAt: new Date().toISOString(), validUntil: new Date(Date.now() + 86_400_000).toISOString() },
    offlineExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
}

const plain = await bundleWith(null);
const limited = await bundleWith(THREE);
const args = { celsius: 21, amount: 1 };
const guardOn = (bundle, store = createMemoryAuditStore()) =>
  createAgentGuard({ bundle, auditLog: createOfflineAuditLog({ signingKey: vectors.auditKey, store }), limits: enforceLimits });

async function perCall(bundle) {
  const guard = guardOn(bundle);
  const call = () => guard.run('heat.set', ['heat:write'], () => true, { args });
  for (let i = 0; i < 100; i++) await call();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await call();
  return ((performance.now() - t0) * 1000) / N;
}

async function firstCallAfterStart(entries) {
  const store = createMemoryAuditStore();
  const writer = guardOn(limited, store);
  for (let i = 0; i < entries; i++) await writer.run('heat.set', ['heat:write'], () => true, { args });
  const t0 = performance.now();
  await guardOn(limited, store).run('heat.set', ['heat:write'], () => true, { args });
  return performance.now() - t0;
}

const best = [Infinity, Infinity];
for (let r = 0; r < ROUNDS; r++) {
  best[0] = Math.min(best[0], await perCall(plain));
  best[1] = Math.min(best[1], await perCall(limited));
}
const rows = [
  { case: 'guard.run, no limits', 'µs/call': +best[0].toFixed(1), 'vs none': 1 },
  { case: 'guard.run, three limits (rate, budget, bounds)', 'µs/call': +best[1].toFixed(1), 'vs none': +(best[1] / best[0]).toFixed(2), 'overhead µs': +(best[1] - best[0]).toFixed(1) },
];
for (const entries of [1_000, 10_000]) rows.push({ case: `first call after a restart, ${entries.toLocaleString('en')} entries to recount`, 'ms': +(await firstCallAfterStart(entries)).toFixed(1) });
console.log(`Guard with limits, best of ${ROUNDS} rounds of ${N} sequential calls, memory log (the rate and budget windows hold every call):`);
console.table(rows);
saveResults('limits', rows);
