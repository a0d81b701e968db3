// Every CLI failure in a real process: one line on stderr saying what and what to do, and the
// documented exit code (0 ok, 1 a check failed, 2 usage or input, 3 the authority unreachable).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../../package.json';
import { createOfflineAuditLog } from '../../../src/node.js';
import { AUDIT_KEY, sampleEntry } from '../../helpers/chain.js';
import { runCli } from './run-cli.js';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'oc-cli-err-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { OFFLINE_CONSENT_API_KEY: '', ...env });

/** Exactly one line on stderr, prefixed with the program's name. */
const oneLine = (stderr: string) => {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^offline-consent: /);
  return lines[0]!;
};

describe('CLI errors: message and exit code', () => {
  it('--version prints the package version and exits 0', async () => {
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it.each([
    [['authority', 'serve', '--port', 'abc'], /invalid --port abc/],
    [['authority', 'serve', '--port', '99999'], /invalid --port 99999/],
    [['authority', 'serve', '--data', 'x', '--database-url', 'postgres://x'], /give --data or --database-url, not both/],
    [['audit', 'verify', 'x.jsonl'], /give one of --public-key FILE, --bundle FILE or --keys FILE/],
    [['bundle', 'inspect', '/no/such/file'], /cannot read \/no\/such\/file: no such file or directory/],
  ])('usage or input error %j: exit 2 with one line', async (args, message) => {
    const out = await cli(args);
    expect(out.code).toBe(2);
    expect(oneLine(out.stderr)).toMatch(message);
  });

  it('a directory where a file belongs names the path (no raw EISDIR)', async () => {
    const out = await cli(['bundle', 'inspect', dir]);
    expect(out.code).toBe(2);
    expect(oneLine(out.stderr)).toBe(`offline-consent: cannot read ${dir}: it is a directory, not a file`);
  });

  it('an unknown option is a usage error (2), with commander\'s own message', async () => {
    const out = await cli(['--bogus']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('a missing public-key file is 2; a log that does not verify is 1', async () => {
    const log = join(dir, 'ok.jsonl');
    writeFileSync(log, '{"seq":1}\n');
    const missing = await cli(['audit', 'verify', log, '--public-key', join(dir, 'nope.pem')]);
    expect(missing.code).toBe(2);
    expect(oneLine(missing.stderr)).toMatch(/cannot read .*nope\.pem: no such file/);
  });

  describe('audit verify on what is not a good log (exit 1, and the entry named the same way in text and JSON)', () => {
    let pem: string;
    let good: string;
    beforeAll(async () => {
      pem = join(dir, 'pub.pem');
      writeFileSync(pem, AUDIT_KEY.publicKey);
      good = join(dir, 'good.jsonl');
      const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: good, durability: 'none' });
      for (let i = 0; i < 3; i++) await log.append(sampleEntry(i));
      await log.close();
    });

    it('random bytes: not JSON, entry 1', async () => {
      const file = join(dir, 'random.jsonl');
      writeFileSync(file, Buffer.concat([randomBytes(200).map((b) => (b === 0x0a ? 0x20 : b)), Buffer.from('\n')]));
      const out = await cli(['audit', 'verify', file, '--public-key', pem]);
      expect(out.code).toBe(1);
      expect(out.stdout).toBe(`✗ ${file}: entry 1 is not JSON (a torn or foreign line)\n`);
      expect(oneLine(out.stderr)).toBe('offline-consent: audit log does not verify');
    });

    it('a torn line in the middle: the entry number matches --json', async () => {
      const file = join(dir, 'torn.jsonl');
      const lines = readFileSync(good, 'utf8').trim().split('\n');
      writeFileSync(file, `${lines[0]}\n${lines[1]!.slice(0, 40)}\n${lines[2]}\n`);
      const text = await cli(['audit', 'verify', file, '--public-key', pem]);
      const json = await cli(['audit', 'verify', file, '--public-key', pem, '--json']);
      expect([text.code, json.code]).toEqual([1, 1]);
      expect(text.stdout).toMatch(/entry 2 is not JSON/);
      expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, brokenAt: 1, entry: 2, reason: 'not JSON' });
    });

    it('a JSON line that is not an audit entry names the field', async () => {
      const file = join(dir, 'foreign.jsonl');
      writeFileSync(file, '{"hello":"world"}\n');
      const out = await cli(['audit', 'verify', file, '--public-key', pem]);
      expect(out.code).toBe(1);
      expect(out.stdout).toMatch(/entry 1 is not an audit entry \(bad or missing field: /);
      expect(out.stdout).not.toMatch(/undefined/);
    });

    it('an empty file does not pass', async () => {
      const file = join(dir, 'empty.jsonl');
      writeFileSync(file, '');
      const out = await cli(['audit', 'verify', file, '--public-key', pem, '--json']);
      expect(out.code).toBe(1);
      expect(JSON.parse(out.stdout)).toMatchObject({ valid: false, count: 0, reason: 'no entries' });
    });

    it('the good log still verifies (exit 0)', async () => {
      const out = await cli(['audit', 'verify', good, '--public-key', pem]);
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/3 entries, chain and signatures valid/);
    });
  });

  it('bundle inspect: short random bytes are not a bundle; longer ones may be legacy, and it says only a key can tell', async () => {
    const short = join(dir, 'short.bin');
    writeFileSync(short, randomBytes(10));
    expect(JSON.parse((await cli(['bundle', 'inspect', short, '--json'])).stdout)).toMatchObject({ format: 'not a bundle (too short for any format)' });
    const long = join(dir, 'long.bin');
    writeFileSync(long, randomBytes(100));
    const out = JSON.parse((await cli(['bundle', 'inspect', long, '--json'])).stdout);
    expect(out).toMatchObject({ format: 'legacy', note: expect.stringMatching(/or not a bundle at all; only its key can tell/) });
    const opened = await cli(['bundle', 'inspect', long, '--key', 'some passphrase']);
    expect(opened.code).toBe(1);
    expect(oneLine(opened.stderr)).toMatch(/\[BUNDLE_TAMPERED\]$/);
  });

  it('an authority that cannot be reached: exit 3, naming what to check', async () => {
    const keyFile = join(dir, 'api-key');
    writeFileSync(keyFile, 'oc_test_key', { mode: 0o600 });
    const out = await cli(['enroll', '--url', 'http://127.0.0.1:9', '--api-key-file', keyFile, '--agent', 'ag_1', '--user', 'user-1', '--scopes', 'a:b']);
    expect(out.code).toBe(3);
    expect(oneLine(out.stderr)).toMatch(/could not be reached.*\[NETWORK_ERROR\]; check the --url and that the authority is running$/);
  });

  it('a short API key is cut out of a message only where it stands whole ("nown" leaves "Unknown" alone; an echoing stand-in server, since the real one never echoes keys)', async () => {
    const http = await import('node:http');
    const server = http.createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'UNAUTHORIZED', message: 'Unknown or revoked API key: nown' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const out = await cli(['agent', 'list', '--url', `http://127.0.0.1:${port}`], { OFFLINE_CONSENT_API_KEY: 'nown' });
      expect(out.code).toBe(2);
      expect(oneLine(out.stderr)).toBe('offline-consent: Unknown or revoked API key: [redacted] (HTTP 401, UNAUTHORIZED) [UNAUTHORIZED]');
    } finally {
      server.close();
    }
  });
});

