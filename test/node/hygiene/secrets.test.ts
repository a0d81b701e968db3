// Secret hygiene: a realistic device story against a real authority over HTTP (bundle, sealed
// file, guard, audit, sync, revocation, CLI), with its failure paths, and every error message,
// console line, CLI output, server answer and audit metadata it produced searched for the
// grant token, the private keys (PEM body lines, JWK `d`), the passphrase and the API key.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createAgentGuard,
  createConsentBundle,
  createOfflineAuditLog,
  createOfflineVerifier,
  loadBundle,
  refreshBundle,
  storeBundle,
  syncAuditLog,
  type ConsentBundle,
} from '../../../src/node.js';
import { generateApiKey, startAuthority, type RunningAuthority } from '../../../src/authority/index.js';
import { openPglite } from '../../../src/authority/db/pglite.js';
import type { Db } from '../../../src/authority/index.js';

const run = promisify(execFile);
const PASSPHRASE = 'plum-walrus-cinder-77-secret';

/** Names of the secrets found in `text`; a PEM is matched by each of its base64 body lines, so a JSON-escaped PEM is found too. */
function findSecrets(text: string, secrets: Record<string, string>): string[] {
  const found = new Set<string>();
  for (const [name, value] of Object.entries(secrets)) {
    const parts = value.includes('-----BEGIN') ? value.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')) : [value];
    if (parts.some((p) => text.includes(p))) found.add(name);
  }
  return [...found];
}

/** Everything an error tells: name, message, own fields (details, requestId…) and its causes. */
function describeError(error: unknown, depth = 0): string {
  if (!(error instanceof Error) || depth > 4) return String(error);
  const own = JSON.stringify(error, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  return [error.name, error.message, error.stack ?? '', own, describeError(error.cause, depth + 1)].join('\n');
}

describe('no secret leaks into messages, logs or audit metadata', () => {
  let dir: string;
  let db: Db;
  let server: RunningAuthority;
  let apiKey: string;
  const seen: string[] = [];
  /** Runs a step that must fail and keeps everything its error says. */
  const refusal = async (what: string, step: () => Promise<unknown>) => {
    const error = await step().then(() => null, (e: unknown) => e);
    expect(error, `${what} should fail`).not.toBeNull();
    seen.push(`${what}: ${describeError(error)}`);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oc-hygiene-'));
    apiKey = generateApiKey();
    db = await openPglite();
    for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void seen.push(`console.${m}: ${args.map((a) => (a instanceof Error ? describeError(a) : typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`));
    }
    server = await startAuthority({ db, apiKey });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await server?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a whole device story, failures included, leaves no secret in anything it wrote or said', async () => {
    const api = async (method: string, path: string, body?: unknown, key = apiKey) => {
      const res = await fetch(`${server.url}${path}`, { method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await res.text();
      seen.push(`HTTP ${method} ${path} → ${res.status} ${text}`);
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const agentId = (await api('POST', '/v1/agents', { name: 'pi', scopes: ['sensor:read', 'thermostat:write'] })).body.agentId;
    const bundle: ConsentBundle = await createConsentBundle({ apiKey, baseUrl: server.url, agentId, userId: 'alice', scopes: ['sensor:read'], offlineTTL: '2h', deviceId: 'pi-1' });
    const [issuerKey] = await db.query<{ private_jwk: string }>('SELECT private_jwk FROM signing_keys');
    const secrets = {
      'grant token': bundle.grantToken,
      'grant token signature': bundle.grantToken.split('.')[2]!,
      'audit private key': bundle.offlineAuditKey.privateKey as string,
      'issuer private JWK d': (JSON.parse(issuerKey!.private_jwk) as { d: string }).d,
      passphrase: PASSPHRASE,
      'API key': apiKey,
    };

    // Bundle at rest: wrong passphrase, raw key for a passphrase file, tampered bytes.
    const file = join(dir, 'bundle.ocb');
    await storeBundle(bundle, file, PASSPHRASE, { iterations: 100_000 });
    await refusal('wrong passphrase', () => loadBundle(file, `${PASSPHRASE}x`));
    await refusal('raw key for a passphrase file', () => loadBundle(file, 'ab'.repeat(32)));
    const bytes = readFileSync(file);
    bytes[bytes.length - 5]! ^= 1;
    writeFileSync(join(dir, 'tampered.ocb'), bytes);
    await refusal('tampered bundle', () => loadBundle(join(dir, 'tampered.ocb'), PASSPHRASE));
    const opened = await loadBundle(file, PASSPHRASE);

    // Guard and audit: success, scope violation, tool error, metadata carrying the token, forged and expired tokens.
    const logPath = join(dir, 'audit.jsonl');
    const log = createOfflineAuditLog({ signingKey: opened.offlineAuditKey, logPath });
    const guard = createAgentGuard({ bundle: opened, auditLog: log });
    await guard.run('sensor.read', ['sensor:read'], () => 21.5, { metadata: { room: 'kitchen' } });
    await refusal('scope violation', () => guard.run('thermostat.set', ['thermostat:write'], () => 'set'));
    await refusal('tool error', () => guard.run('sensor.read', ['sensor:read'], () => { throw new Error('sensor bus timeout'); }));
    await refusal('metadata with the token', () => guard.run('sensor.read', ['sensor:read'], () => 1, { metadata: { leaked: opened.grantToken } }));
    await refusal('metadata with the key', () => guard.run('sensor.read', ['sensor:read'], () => 1, { metadata: { key: opened.offlineAuditKey.privateKey } }));
    const [h, p, s] = opened.grantToken.split('.') as [string, string, string];
    const verifier = createOfflineVerifier({ jwksSnapshot: opened.jwksSnapshot });
    await refusal('forged token', () => verifier.verify(`${h}.${p}.${s.slice(0, -4)}AAAA`));
    await refusal('expired token', () => createOfflineVerifier({ jwksSnapshot: opened.jwksSnapshot, now: () => Date.now() + 3 * 3_600_000 }).verify(opened.grantToken));

    // Sync, with a wrong API key first; then authority errors whose input carries secrets.
    seen.push(JSON.stringify(await syncAuditLog(log, { endpoint: opened.syncEndpoint, apiKey: `${apiKey.slice(0, -4)}zzzz`, bundleId: opened.bundleId, retryDelaysMs: [] }).catch((e: unknown) => describeError(e))));
    seen.push(JSON.stringify(await syncAuditLog(log, { endpoint: opened.syncEndpoint, apiKey, bundleId: opened.bundleId })));
    await refusal('agent id that is the API key', () => createConsentBundle({ apiKey, baseUrl: server.url, agentId: apiKey, userId: 'alice', scopes: ['sensor:read'] }));
    await refusal('agent id that is the token', () => createConsentBundle({ apiKey, baseUrl: server.url, agentId: opened.grantToken, userId: 'alice', scopes: ['sensor:read'] }));
    await refusal('refresh of a bundle id that is the API key', () => refreshBundle({ ...opened, bundleId: apiKey }, apiKey));
    await refusal('scope the agent lacks, pasted from the API key', () => createConsentBundle({ apiKey, baseUrl: server.url, agentId, userId: 'alice', scopes: [apiKey] }));
    await api('POST', '/v1/audit/offline-sync', { bundleId: opened.grantToken, entries: [] });
    await api('GET', '/v1/consent-bundles', undefined, `${apiKey}-wrong`);
    await api('POST', '/v1/audit/offline-sync', { bundleId: opened.bundleId, entries: [{ seq: 1, metadata: { token: opened.grantToken } }] });

    // Revocation reaches the device; the guard then refuses.
    await api('POST', `/v1/consent-bundles/${opened.bundleId}/revoke`, { revokeGrant: true });
    seen.push(JSON.stringify(await syncAuditLog(log, { endpoint: opened.syncEndpoint, apiKey, bundleId: opened.bundleId, checkRevocation: true }))); // nothing new to upload: ask anyway
    await refusal('revoked', () => guard.run('sensor.read', ['sensor:read'], () => 1));
    seen.push(JSON.stringify(await syncAuditLog(log, { endpoint: opened.syncEndpoint, apiKey, bundleId: opened.bundleId }))); // the refusal's own entry
    await log.close();

    // The CLI a person would run, on good and bad input (needs the build, as test/node/cli does).
    const cli = (args: string[], env: Record<string, string> = {}) =>
      run(process.execPath, ['dist/cli.js', ...args], { env: { ...process.env, ...env } }).then(
        (r) => seen.push(`cli ${args[0]} ${args[1]}: ${r.stdout}${r.stderr}`),
        (e: { stdout?: string; stderr?: string; message: string }) => seen.push(`cli ${args[0]} ${args[1]} failed: ${e.stdout}${e.stderr}`),
      );
    await cli(['bundle', 'inspect', file], { OFFLINE_CONSENT_BUNDLE_KEY: PASSPHRASE });
    await cli(['bundle', 'inspect', file, '--json'], { OFFLINE_CONSENT_BUNDLE_KEY: PASSPHRASE });
    await cli(['bundle', 'inspect', join(dir, 'tampered.ocb')], { OFFLINE_CONSENT_BUNDLE_KEY: PASSPHRASE });
    await cli(['bundle', 'inspect', file, '--key', `${PASSPHRASE}x`]);
    writeFileSync(join(dir, 'pub.pem'), opened.offlineAuditKey.publicKey);
    await cli(['audit', 'verify', logPath, '--public-key', join(dir, 'pub.pem')]);

    // Every audit entry's metadata, on the device and on the authority.
    const local = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { metadata?: unknown });
    const stored = (await api('GET', `/v1/consent-bundles/${opened.bundleId}/audit`)).body.entries as { metadata?: unknown }[];
    expect(local.length).toBeGreaterThanOrEqual(4);
    expect(stored).toHaveLength(local.length);
    for (const e of [...local, ...stored]) seen.push(`metadata: ${JSON.stringify(e.metadata ?? null)}`);

    const text = seen.join('\n');
    expect(seen.length).toBeGreaterThan(25);
    const leaks = seen.filter((line) => findSecrets(line, secrets).length > 0).map((line) => `${findSecrets(line, secrets).join(',')} in: ${line.slice(0, 300)}`);
    expect(leaks, 'secrets found in messages, logs or metadata').toEqual([]);
    expect(findSecrets(text, secrets)).toEqual([]);
  });

  it('the detector finds each kind of secret when one is planted (control)', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIKf2SsqdmGWmIIdSrZm2rLEiFnIJlC6kRg1Nyc6Od+Yj\n-----END PRIVATE KEY-----\n';
    const secrets = { token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', key: pem, d: 'nIJlC6kRg1Nyc6Od-dpart', pass: PASSPHRASE, api: 'oc_live_0123456789abcdefghij' };
    expect(findSecrets(`error: ${JSON.stringify({ key: pem })}`, secrets)).toEqual(['key']); // PEM inside JSON, newlines escaped
    expect(findSecrets(`Authorization: Bearer ${secrets.api}`, secrets)).toEqual(['api']);
    expect(findSecrets(`bad token ${secrets.token} and ${PASSPHRASE}`, secrets)).toEqual(['token', 'pass']);
    expect(findSecrets('{"kty":"RSA","d":"nIJlC6kRg1Nyc6Od-dpart"}', secrets)).toEqual(['d']);
    expect(findSecrets('nothing to see', secrets)).toEqual([]);
  });
});
