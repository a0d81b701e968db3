// The `offline-consent audit verify` command, run as a user would: the built CLI in a child process.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOfflineAuditLog } from '../../../src/node.js';
import { AUDIT_KEY, sampleEntry } from '../../helpers/chain.js';
import { runCli } from './run-cli.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'oc-cli-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli(args);

async function writeLog(count: number): Promise<string> {
  const path = join(dir, 'audit.jsonl');
  const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path, durability: 'none' });
  for (let i = 0; i < count; i++) await log.append(sampleEntry(i));
  await log.close();
  writeFileSync(join(dir, 'pub.pem'), AUDIT_KEY.publicKey);
  writeFileSync(join(dir, 'pub.jwk'), JSON.stringify(AUDIT_KEY.publicJwk));
  return path;
}

describe('offline-consent audit verify', () => {
  it('exits 0 for a valid log, with a PEM or a JWK key file', async () => {
    const log = await writeLog(50);
    const pem = await cli('audit', 'verify', log, '--public-key', join(dir, 'pub.pem'));
    expect(pem.code).toBe(0);
    expect(pem.stdout).toMatch(/50 entries, chain and signatures valid/);
    const jwk = await cli('audit', 'verify', log, '--public-key', join(dir, 'pub.jwk'), '--json');
    expect(JSON.parse(jwk.stdout)).toMatchObject({ valid: true, count: 50 });
  });

  it('exits 1 and names the broken seq for an edited entry or a forged signature', async () => {
    const log = await writeLog(20);
    const lines = readFileSync(log, 'utf8').split('\n');
    const edited = JSON.parse(lines[11]!);
    edited.result = 'success-edited';
    lines[11] = JSON.stringify(edited);
    writeFileSync(log, lines.join('\n'));
    const out = await cli('audit', 'verify', log, '--public-key', join(dir, 'pub.pem'), '--json');
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ valid: false, seq: 12, reason: 'hash' });
  });

  it('fails with a clear message for a missing file, and --help exits 0', async () => {
    const missing = await cli('audit', 'verify', join(dir, 'nope.jsonl'), '--public-key', join(dir, 'nope.pem'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/offline-consent: .*no such file/i);
    const help = await cli('audit', 'verify', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--public-key/);
  });
});
