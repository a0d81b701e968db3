// The CLI as a user runs it: the built dist/cli.js in a child process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import vectors from '../../vectors/interop-vectors.json';
import { storeBundle, type ConsentBundle } from '../../../src/node.js';
import { runCli } from './run-cli.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'oc-cli-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cli = runCli;

describe('offline-consent demo', () => {
  it('runs the whole story and ends with the agent halted by revocation', async () => {
    const out = await cli(['demo', '--actions', '120', '--json']);
    expect(out.code).toBe(0);
    const summary = JSON.parse(out.stdout);
    expect(summary).toMatchObject({ ok: true, actions: 120, synced: 120, revocation: 'revoked', halted: 'GRANT_REVOKED' });
    expect(summary.denied).toBe(1);
  }, 60_000);
});

describe('offline-consent bundle inspect', () => {
  it('describes the layout without a key and summarises with one, never printing secrets', async () => {
    const bundle = vectors.legacyBundle.bundle as ConsentBundle;
    const path = join(dir, 'b.bin');
    await storeBundle(bundle, path, 'inspect me', { iterations: 100_000 });
    const bare = JSON.parse((await cli(['bundle', 'inspect', path, '--json'])).stdout);
    expect(bare).toMatchObject({ format: 'own', kdf: 'PBKDF2-SHA-256', iterations: 100_000 });
    const full = await cli(['bundle', 'inspect', path, '--json'], { OFFLINE_CONSENT_BUNDLE_KEY: 'inspect me' });
    expect(full.code).toBe(0);
    expect(JSON.parse(full.stdout)).toMatchObject({ bundleId: bundle.bundleId, agentDID: 'did:key:z6MkAgent', scopes: ['sensor:read', 'thermostat:write'] });
    expect(full.stdout).not.toContain('PRIVATE KEY');
    expect(full.stdout).not.toContain(bundle.grantToken);
    const wrong = await cli(['bundle', 'inspect', path, '--key', 'nope']);
    expect(wrong.code).toBe(1); // a check failed: wrong key and tampered bytes look the same to AES-GCM
    expect(wrong.stderr).toContain('[BUNDLE_TAMPERED]');
  });

  it('reports a token exp no Date can hold as null instead of crashing', async () => {
    const path = join(dir, 'far.bin');
    const bundle = vectors.legacyBundle.bundle as ConsentBundle;
    const [header, , signature] = bundle.grantToken.split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'u', agt: 'did:key:z6MkAgent', scp: ['sensor:read'], jti: 'j', exp: 1e13 })).toString('base64url');
    await storeBundle({ ...bundle, grantToken: `${header}.${payload}.${signature}` }, path, 'far away', { iterations: 100_000 });
    const out = await cli(['bundle', 'inspect', path, '--json'], { OFFLINE_CONSENT_BUNDLE_KEY: 'far away' });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ tokenExpiresAt: null, scopes: ['sensor:read'] });
  });
});

describe('offline-consent authority init', () => {
  it('creates a developer and prints its API key once', async () => {
    const out = await cli(['authority', 'init', '--data', join(dir, 'db'), '--json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ developerId: expect.stringMatching(/^dev_/), apiKey: expect.any(String) });
  }, 60_000);
});

describe('offline-consent authority serve --cors-origin', () => {
  it('answers preflights from the listed origin on device endpoints only; a value that is not an origin is one line and exit 2', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['dist/cli.js', 'authority', 'serve', '--port', '0', '--data', join(dir, 'db'), '--cors-origin', 'http://app.example', '--cors-origin', 'http://other.example', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (d: Buffer) => resolve(d.toString()));
        child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      const { url } = JSON.parse(line) as { url: string };
      const preflight = (path: string, origin: string) =>
        fetch(`${url}${path}`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'oc-device-proof' } });
      expect((await preflight('/v1/audit/offline-sync', 'http://other.example')).headers.get('access-control-allow-origin')).toBe('http://other.example');
      expect((await preflight('/v1/agents', 'http://app.example')).headers.get('access-control-allow-origin')).toBeNull();
      expect((await preflight('/v1/audit/offline-sync', 'http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
    const bad = await cli(['authority', 'serve', '--port', '0', '--cors-origin', 'http://app.example/path']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringContaining('--cors-origin http://app.example/path is not an origin')]);
  }, 60_000);
});

describe('offline-consent authority serve --no-console', () => {
  it('serves the operator console at /console by default, and not with --no-console', async () => {
    const { spawn } = await import('node:child_process');
    const statusOf = async (args: string[]) => {
      const child = spawn(process.execPath, ['dist/cli.js', 'authority', 'serve', '--port', '0', '--data', join(dir, `db-${args.length}`), '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        const line = await new Promise<string>((resolve, reject) => {
          child.stdout.once('data', (d: Buffer) => resolve(d.toString()));
          child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
        });
        return (await fetch(`${(JSON.parse(line) as { url: string }).url}/console/sign-in`, { redirect: 'manual' })).status;
      } finally {
        child.kill('SIGTERM');
      }
    };
    expect(await statusOf([])).toBe(200);
    expect(await statusOf(['--no-console'])).toBe(404);
  }, 60_000);
});
