// Inspects the built package (npm run build first): the browser entry, bundled with its
// dependencies the way a web bundler would, must not reach for Node.
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

describe('built package', () => {
  it('has been built', () => {
    expect(existsSync('dist/browser.js'), 'run `npm run build` before the tests').toBe(true);
  });

  it.each(['browser', 'index'])('the %s entry bundled for browsers contains no node: import and no require(', async (entry) => {
    const result = await build({
      entryPoints: [`dist/${entry}.js`],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      conditions: ['browser'],
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    expect(code.length).toBeGreaterThan(1000);
    expect(code).toContain('createOfflineVerifier');
    expect(code).not.toMatch(/["']node:/);
    expect(code).not.toMatch(/\brequire\(/);
    // The authority's server-side dependencies never reach a browser bundle.
    expect(code).not.toMatch(/\bhono\b|pglite|from ["']pg["']|from ["']postgres["']/i);
    // Nor do the agent frameworks: importing the core never loads them.
    expect(code).not.toMatch(/@langchain|@google\/adk|@modelcontextprotocol|["']ai["']|["']ai\//);
  });

  it.each([
    ['langchain', '@langchain/core', ['withOfflineConsent', 'withGrantexAuth', 'withGrantexAuthLangChain']],
    ['adk', '@google/adk', ['withOfflineConsent', 'withGrantexAuth', 'withGrantexAuthADK']],
    ['ai-sdk', 'ai', ['guardTools']],
    ['mcp', '@modelcontextprotocol/sdk', ['guardMcpServer']],
  ])('the %s adapter entry loads without its framework and never bundles it', async (name, framework, exports) => {
    const mod = await import(`../../dist/adapters/${name}.js` as string);
    for (const e of exports) expect(mod[e], e).toBeTypeOf('function');
    const code = readFileSync(`dist/adapters/${name}.js`, 'utf8');
    const imports = [...code.matchAll(/(?:from|import\()\s*["']([^"']+)["']/g)].map((m) => m[1]!).filter((id) => id === framework || id.startsWith(`${framework}/`));
    expect(imports).toEqual([]);
  });

  it('maps the root entry to the browser build under `browser` and the Node build under `node`', () => {
    const root = pkg.exports['.'];
    expect(root.browser.default).toBe('./dist/browser.js');
    expect(root.node.default).toBe('./dist/node.js');
    for (const entry of Object.values<Record<string, unknown>>(pkg.exports)) {
      if (typeof entry === 'string') continue;
      const targets = JSON.stringify(entry).match(/\.\/dist\/[^"]+/g) ?? [];
      for (const t of targets) expect(existsSync(t), t).toBe(true);
    }
  });

  it('the core source imports no Node module', async () => {
    const { readdirSync, statSync } = await import('node:fs');
    const core = ['src/crypto', 'src/verifier', 'src/audit', 'src/bundle', 'src/sync', 'src/guard', 'src/errors.ts', 'src/index.ts',
      'src/storage/index.ts', 'src/storage/memory-audit.ts'];
    const files: string[] = [];
    const walk = (p: string) => (statSync(p).isDirectory() ? readdirSync(p).forEach((f) => walk(`${p}/${f}`)) : files.push(p));
    core.filter(existsSync).forEach(walk);
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toMatch(/from ['"](node:|fs|path|crypto|os)['"]/);
    // Nor reaches a runtime-specific store, which would drag Node or the browser into the core.
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toMatch(/from ['"][^'"]*(node-fs|indexeddb)[^'"]*['"]/);
  });

  it('the authority entry loads, exports the server API, and keeps its server dependencies external', async () => {
    const mod = await import('../../dist/authority.js' as string);
    for (const name of ['createAuthority', 'startAuthority', 'initAuthority', 'openDatabase', 'migrate', 'generateApiKey']) {
      expect(mod[name], name).toBeTypeOf('function');
    }
    const code = readFileSync('dist/authority.js', 'utf8');
    expect(code).toMatch(/from 'hono'/);
    expect(code).not.toMatch(/class Hono\b/);
  });

  it('the Node entry loads and exports the public API', async () => {
    const mod = await import('../../dist/node.js' as string);
    for (const name of ['createOfflineVerifier', 'enforceScopes', 'hasScope', 'importKeyByKid', 'isSnapshotExpired', 'GrantexAuthError', 'OfflineConsentError', 'TokenExpiredError', 'ScopeViolationError', 'BundleTamperedError', 'HashChainError', 'OfflineVerificationError', 'createOfflineAuditLog', 'createFileAuditStore', 'createMemoryAuditStore', 'verifyChain', 'AuditLogError', 'InvalidAuditEntryError']) {
      expect(mod[name], name).toBeTypeOf('function');
    }
  });
});
