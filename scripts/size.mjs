// Size budget: what a typical device app imports from the browser build (enroll, bundle
// store, guard, log, sync: ≤ 20 KB) and the verifier alone (≤ 10 KB), bundled with their dependencies,
// minified and gzipped, as a web app would ship it; the app with refresh and the whole root
// entry have ceilings too, so growth there is seen. Exits 1 when over budget.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

const BUDGETS = [
  {
    name: 'device app (browser condition)',
    // The brief's typical device app: enroll, bundle store, guard, log, sync.
    contents: `export { redeemEnrollment, storeBundle, loadBundle, createOfflineAuditLog, createAgentGuard, syncAuditLog } from 'offline-consent';`,
    limit: 20 * 1024,
  },
  {
    name: 'device app + refresh and revocation status',
    contents: `export { redeemEnrollment, storeBundle, loadBundle, createOfflineAuditLog, createAgentGuard, syncAuditLog, refreshBundle, revocationStatus } from 'offline-consent';`,
    limit: 22 * 1024,
  },
  {
    name: 'device app + limits (enforceLimits)',
    contents: `export { redeemEnrollment, storeBundle, loadBundle, createOfflineAuditLog, createAgentGuard, syncAuditLog, enforceLimits } from 'offline-consent';`,
    limit: 23 * 1024,
  },
  // Raised from 24 KB for the limits (enforcer, usage ledger, full claim parser), which only apps that import them ship.
  { name: 'whole root entry (browser condition)', contents: `export * from 'offline-consent';`, limit: 27.5 * 1024 },
  { name: 'verifier only', contents: `export { createOfflineVerifier } from 'offline-consent';`, limit: 10 * 1024 },
];

export async function measureSizes() {
  const rows = [];
  for (const b of BUDGETS) {
    const result = await build({
      stdin: { contents: b.contents, resolveDir: process.cwd(), loader: 'js' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].contents;
    rows.push({ bundle: b.name, minified: code.length, gzipped: gzipSync(code, { level: 9 }).length, budget: b.limit });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await measureSizes();
  console.table(rows.map((r) => ({ ...r, ok: r.gzipped <= r.budget })));
  process.exit(rows.every((r) => r.gzipped <= r.budget) ? 0 : 1);
}
