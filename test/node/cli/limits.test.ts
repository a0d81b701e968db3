// Grant limits on the command line (issue 18), with the built dist/cli.js against a real authority
// over HTTP (PGlite): `enroll --limit` signs limits into the grant the code becomes, a bad --limit
// exits 2 with one line before anything is sent, and `bundle show` prints the limits with their
// use as the authority counted it (and `--json` carries them).
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, startAuthority, type RunningAuthority } from '../../../src/authority/index.js';
import { LIMITS_CLAIM } from '../../../src/verifier/limits.js';
import { deviceKey, Device } from '../authority/device-client.js';
import { Api, openTestDb } from '../authority/harness.js';
import type { Db } from '../../../src/authority/index.js';
import { appendShaped } from '../console/console-client.js';
import { runCli } from './run-cli.js';

describe('grant limits in the CLI', () => {
  let server: RunningAuthority;
  let api: Api;
  let agentId: string;
  let db: Db;
  let dispose: () => Promise<void>;
  const apiKey = generateApiKey();
  const cli = (...args: string[]) => runCli([...args, '--url', server.url], { OFFLINE_CONSENT_API_KEY: apiKey });
  const enroll = (...limits: string[]) => cli('enroll', '--agent', agentId, '--user', 'alice', '--scopes', 'sensor:read,door:open,payments:send', ...limits.flatMap((l) => ['--limit', l]), '--json');

  beforeAll(async () => {
    ({ db, dispose } = await openTestDb('pglite'));
    server = await startAuthority({ db, apiKey, rateLimits: false });
    api = new Api(server.authority, apiKey, server.url);
    agentId = (await api.post('/v1/agents', { name: 'pi', scopes: ['sensor:read', 'door:open', 'payments:send'] })).body.agentId;
  });
  afterAll(async () => {
    await server?.close();
    await dispose?.();
  });
  const enrollments = async () => Number((await db.query<{ n: number }>('SELECT count(*) AS n FROM enrollments'))[0]!.n);

  it('enroll --limit (each kind) → the redeemed grant carries them; bundle show prints their use, --json includes it', async () => {
    const minted = await enroll('door:open rate 2/1h', 'sensor:read total 3', 'payments:send budget amount 50/1d EUR', 'door:open bounds door in front,back', 'sensor:read bounds celsius -5..30.5');
    expect(minted.code, minted.stderr).toBe(0);
    const expected = [
      { scope: 'door:open', kind: 'rate', max: 2, per: '1h' },
      { scope: 'sensor:read', kind: 'total', max: 3 },
      { scope: 'payments:send', kind: 'budget', sum: 'amount', max: 50, per: '1d', unit: 'EUR' },
      { scope: 'door:open', kind: 'bounds', arg: 'door', oneOf: ['front', 'back'] },
      { scope: 'sensor:read', kind: 'bounds', arg: 'celsius', min: -5, max: 30.5 },
    ];
    const { code, limits } = JSON.parse(minted.stdout);
    expect(limits).toEqual(expected);
    const key = await deviceKey();
    const redeemed = await api.as(null).post('/v1/enrollments/redeem', { code, auditPublicKey: key.publicPem });
    expect(redeemed.status).toBe(201);
    const claims = decodeJwt(redeemed.body.grantToken) as { agt: string; grnt: string };
    expect(claims[LIMITS_CLAIM as keyof typeof claims]).toEqual(expected);

    const device = new Device(api, redeemed.body.bundleId, key, { agentDID: claims.agt, grantId: claims.grnt, scopes: ['sensor:read', 'door:open'] });
    await appendShaped(device, 4, (seq) => ({ metadata: seq % 3 === 0 ? { limitArgs: { door: 'front' } } : { limitArgs: { celsius: 20 } } })); // 3 door, 1 2 4 sensor
    expect((await device.sync(device.entries)).body).toMatchObject({ accepted: 4, flagged: [] });

    const shown = await cli('bundle', 'show', device.bundleId);
    expect(shown.code, shown.stderr).toBe(0);
    const table = shown.stdout.slice(shown.stdout.indexOf('\nlimits\n') + 8).trim().split('\n').map((l) => l.split(/\s{2,}/));
    expect(table).toEqual([
      ['scope', 'kind', 'limit', 'used', 'remaining', 'resetAt'],
      ['door:open', 'rate', '2 calls per 1h', '1', '1', expect.stringMatching(/^\d{4}-\d\d-\d\dT/)],
      ['sensor:read', 'total', '3 calls in total', '3', '0', '-'],
      ['payments:send', 'budget', '50 EUR of amount per 1d', '0', '50', '-'],
      ['door:open', 'bounds', 'door one of "front", "back"', '-', '-', '-'],
      ['sensor:read', 'bounds', 'celsius in -5..30.5', '-', '-', '-'],
    ]);
    const json = JSON.parse((await cli('bundle', 'show', device.bundleId, '--json')).stdout);
    expect(json.limits).toEqual((await api.get(`/v1/consent-bundles/${device.bundleId}`)).body.limits);
    expect(json.limits.map((u: { used: number }) => u.used)).toEqual([1, 3, 0, 0, 0]);
  });

  it('bundle show of a bundle without limits says so', async () => {
    const b = (await api.post('/v1/consent-bundles', { agentId, userId: 'bob', scopes: ['sensor:read'] })).body;
    const shown = await cli('bundle', 'show', b.bundleId);
    expect(shown.stdout.trimEnd().split('\n').at(-1)).toBe('limits  none');
    expect(JSON.parse((await cli('bundle', 'show', b.bundleId, '--json')).stdout).limits).toEqual([]);
  });

  it.each([
    ['door:open rate 2', /a rate needs a window/],
    ['door:open quota 2', /unknown kind "quota"/],
    ['door:open total two', /a total must be a number/],
    ['email:send total 2', /scope the grant does not hold/],
    ['door:open rate 2/1 hour', /unexpected "hour"/],
    ['door:open rate 2/hourly', /"per"/],
    ['door:open bounds door', /bounds nothing/],
  ])('a bad --limit %j exits 2 with one line, and no enrollment is made', async (spec, message) => {
    const before = await enrollments();
    const res = await enroll(spec);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/^offline-consent: --limit "[^\n]*\n$/);
    expect(res.stderr).toMatch(message);
    expect(await enrollments()).toBe(before);
  });
});
