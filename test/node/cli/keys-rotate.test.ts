// `offline-consent keys rotate` in a real process: on a PGlite data folder (refused while a server
// holds it), and on PostgreSQL under a running authority, which signs with the new key at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { startAuthority } from '../../../src/authority/node-server.js';
import { Api, openTestDb } from '../authority/harness.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'oc-cli-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keys rotate', () => {
  it('on a PGlite data folder: a new kid each time, the old one retired; refused (2) while a server holds the folder', async () => {
    const data = join(dir, 'data');
    expect((await runCli(['authority', 'init', '--data', data, '--json'])).code).toBe(0);
    const first = JSON.parse((await runCli(['keys', 'rotate', '--data', data, '--json'])).stdout);
    const second = JSON.parse((await runCli(['keys', 'rotate', '--data', data, '--json'])).stdout);
    expect(first).toEqual({ kid: expect.any(String), retiredKid: expect.any(String) });
    expect(second.retiredKid).toBe(first.kid);
    expect(second.kid).not.toBe(first.kid);
    const server = await startAuthority({ dataDir: data, port: 0 });
    try {
      const locked = await runCli(['keys', 'rotate', '--data', data]);
      expect(locked.code).toBe(2);
      expect(locked.stderr).toMatch(/^offline-consent: .*stop it first \(one process per data folder\)\n$/);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('on PostgreSQL under a running authority: the next token is signed with the new key', async () => {
    const store = await openTestDb('postgres');
    const server = await startAuthority({ db: store.db, rateLimits: false });
    try {
      const { apiKey } = await server.authority.createDeveloper('keys');
      const api = new Api(server.authority, apiKey, server.url);
      const agentId = (await api.post('/v1/agents', { name: 'pi', scopes: ['a:b'] })).body.agentId;
      const kidOf = async () => decodeProtectedHeader((await api.post('/v1/consent-bundles', { agentId, userId: 'u', scopes: ['a:b'] })).body.grantToken).kid;
      const before = await kidOf();
      const rotated = JSON.parse((await runCli(['keys', 'rotate', '--database-url', store.url!, '--json'])).stdout);
      expect(rotated.retiredKid).toBe(before);
      expect(await kidOf()).toBe(rotated.kid);
    } finally {
      await server.close();
      await store.dispose();
    }
  }, 60_000);
});
