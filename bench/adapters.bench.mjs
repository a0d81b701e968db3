// Per-call overhead of each framework adapter against calling the same tool unguarded through
// the same framework, side by side in one process, on a memory log (so the figures are the
// adapter and the guard — verify, scope check, hash, sign, append — not the disk).
// Run: npm run build && node bench/adapters.bench.mjs
import { FunctionTool } from '@google/adk';
import { tool as lcTool } from '@langchain/core/tools';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { tool as aiTool } from 'ai';
import { SignJWT, importJWK } from 'jose';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { withOfflineConsent as withAdk } from '../dist/adapters/adk.js';
import { guardTools } from '../dist/adapters/ai-sdk.js';
import { withOfflineConsent as withLangChain } from '../dist/adapters/langchain.js';
import { guardMcpServer } from '../dist/adapters/mcp.js';
import { createAgentGuard, createMemoryAuditStore, createOfflineAuditLog } from '../dist/node.js';
import { saveResults } from './results.mjs';

const vectors = JSON.parse(readFileSync(new URL('../test/vectors/interop-vectors.json', import.meta.url), 'utf8'));
const N = 2_000;
const ROUNDS = 5;
const nowS = Math.floor(Date.now() / 1000);
const grantToken = await new SignJWT({ sub: 'user_alice', agt: 'did:key:z6MkAgent', scp: ['sensor:read'], jti: 'tok_1', grnt: 'grnt_1', iat: nowS - 10, exp: nowS + 3600 })
  .setProtectedHeader({ alg: 'RS256', kid: vectors.jwt.publicJwk.kid })
  .sign(await importJWK(vectors.jwt.privateJwk, 'RS256'));
const bundle = {
  bundleId: 'cb_bench',
  grantToken,
  jwksSnapshot: { keys: [vectors.jwt.publicJwk], fetchedAt: new Date().toISOString(), validUntil: new Date(Date.now() + 86_400_000).toISOString() },
  offlineExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
};
const newGuard = () => createAgentGuard({ bundle, auditLog: createOfflineAuditLog({ signingKey: vectors.auditKey, store: createMemoryAuditStore() }) });
const read = async ({ room }) => ({ room, celsius: 21.5 });

async function mcpCaller(guarded) {
  const server = new McpServer({ name: 'bench', version: '1' });
  if (guarded) guardMcpServer(server, { guard: newGuard(), scopes: { read_sensor: ['sensor:read'] } });
  server.registerTool('read_sensor', { inputSchema: { room: z.string() } }, async (args) => ({ content: [{ type: 'text', text: JSON.stringify(await read(args)) }] }));
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'bench', version: '1' });
  await server.connect(b);
  await client.connect(a);
  return () => client.callTool({ name: 'read_sensor', arguments: { room: 'den' } });
}

const adkTool = () => new FunctionTool({ name: 'read_sensor', description: 'x', parameters: z.object({ room: z.string() }), execute: read });
const lc = () => lcTool(read, { name: 'read_sensor', description: 'x', schema: z.object({ room: z.string() }) });
const ai = () => ({ read_sensor: aiTool({ description: 'x', inputSchema: z.object({ room: z.string() }), execute: read }) });
const opts = { toolCallId: 'c', messages: [] };

const pairs = [
  ['guard.run', () => (a) => read(a), () => { const g = newGuard(); return (a) => g.run('tool:read_sensor', ['sensor:read'], () => read(a)); }],
  ['AI SDK execute', () => { const t = ai(); return (a) => t.read_sensor.execute(a, opts); }, () => { const t = guardTools(ai(), { guard: newGuard(), scopes: { read_sensor: ['sensor:read'] } }); return (a) => t.read_sensor.execute(a, opts); }],
  ['MCP tools/call (in-memory)', () => mcpCaller(false), () => mcpCaller(true)],
  ['LangChain invoke', () => { const t = lc(); return (a) => t.invoke(a); }, () => { const t = withLangChain(lc(), { guard: newGuard(), requiredScopes: ['sensor:read'] }); return (a) => t.invoke(a); }],
  ['ADK runAsync', () => { const t = adkTool(); return (a) => t.runAsync({ args: a, toolContext: undefined }); }, () => { const t = withAdk(adkTool(), { guard: newGuard(), requiredScopes: ['sensor:read'] }); return (a) => t.runAsync({ args: a, toolContext: undefined }); }],
];

async function timeCalls(call) {
  const arg = { room: 'den' };
  for (let i = 0; i < 100; i++) await call(arg); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await call(arg);
  return ((performance.now() - t0) * 1000) / N; // µs per call
}

const best = pairs.map(() => [Infinity, Infinity]);
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, [, plain, guarded]] of pairs.entries()) {
    best[i][0] = Math.min(best[i][0], await timeCalls(await plain()));
    best[i][1] = Math.min(best[i][1], await timeCalls(await guarded()));
  }
}
const rows = pairs.map(([name], i) => ({
  path: name,
  'unguarded µs/call': +best[i][0].toFixed(1),
  'guarded µs/call': +best[i][1].toFixed(1),
  'overhead µs': +(best[i][1] - best[i][0]).toFixed(1),
  'guarded/unguarded': +(best[i][1] / best[i][0]).toFixed(1),
}));
console.log(`Adapter overhead per call, best of ${ROUNDS} rounds of ${N} sequential calls, memory log:`);
console.table(rows);
saveResults('adapters', rows);
