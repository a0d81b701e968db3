// An MCP tool server in its own process, on stdio, built from the published entries
// (`offline-consent/node`, `offline-consent/adapters/mcp`). env: OC_BUNDLE (JSON), OC_LOG (path), OC_NOW (Unix ms).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { guardMcpServer } from '../../../dist/adapters/mcp.js';
import { createAgentGuard, createOfflineAuditLog } from '../../../dist/node.js';

const bundle = JSON.parse(process.env.OC_BUNDLE);
const clock = () => Number(process.env.OC_NOW);
const auditLog = createOfflineAuditLog({ signingKey: bundle.offlineAuditKey, logPath: process.env.OC_LOG, now: clock });
const guard = createAgentGuard({ bundle, auditLog, clock });
const server = guardMcpServer(new McpServer({ name: 'pi-tools', version: '1.0.0' }), { guard, scopes: { read_sensor: ['sensor:read'], send_email: ['email:send'] } });
server.registerTool('read_sensor', { description: 'Reads a room sensor', inputSchema: { room: z.string() } }, async ({ room }) => ({ content: [{ type: 'text', text: `21.5 in ${room}` }] }));
server.registerTool('send_email', { description: 'Sends mail', inputSchema: { to: z.string() } }, async () => ({ content: [{ type: 'text', text: 'sent' }] }));
await server.connect(new StdioServerTransport());
process.stdin.on('end', () => auditLog.close?.().finally(() => process.exit(0)));
