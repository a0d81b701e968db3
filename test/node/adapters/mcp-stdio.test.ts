// MCP over stdio: a real MCP Client spawns the guarded tool server (mcp-stdio-child.mjs, built
// entries) as a child process; its file audit log is then read and verified here.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createFileAuditStore, createOfflineAuditLog } from '../../../src/node.js';
import { testBundle } from '../../helpers/bundle.js';
import { NOW } from '../../helpers/tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'oc-mcp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a Client over stdio to a guarded MCP server in a child process: allowed and refused calls, one verified trail on disk', async () => {
  const bundle = await testBundle();
  const logPath = join(dir, 'audit.jsonl');
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [fileURLToPath(new URL('./mcp-stdio-child.mjs', import.meta.url))],
    env: { ...(process.env as Record<string, string>), OC_BUNDLE: JSON.stringify(bundle), OC_LOG: logPath, OC_NOW: String(NOW) },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'agent', version: '1.0.0' });
  await client.connect(transport);
  expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['read_sensor', 'send_email']);
  expect(await client.callTool({ name: 'read_sensor', arguments: { room: 'attic' } })).toMatchObject({ content: [{ type: 'text', text: '21.5 in attic' }] });
  const refused = (await client.callTool({ name: 'send_email', arguments: { to: 'bob@example.com' } })) as { isError?: boolean; content: { text: string }[] };
  expect([refused.isError, refused.content[0]!.text.split(':')[0]]).toEqual([true, 'SCOPE_VIOLATION']);
  await client.close();

  const log = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, store: createFileAuditStore(logPath), now: () => NOW });
  expect((await log.entries()).map((e) => [e.action, e.result])).toEqual([['tool:read_sensor', 'success'], ['tool:send_email', 'scope_violation']]);
  expect(await log.verify()).toMatchObject({ valid: true });
});
