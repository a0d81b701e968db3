// One writer per JSONL log across processes (<log>.lock): real processes on real files, the
// holder SIGKILLed, racing takeovers, a reused pid, and read-only opens while it is held.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileAuditStore, createOfflineAuditLog, type AuditRecovery } from '../../../src/node.js';
import { acquireFileLock, FileLockedError } from '../../../src/storage/node-fs-lock.js';
import { AUDIT_KEY, sampleEntry } from '../../helpers/chain.js';
import { start, writer, type Proc } from './process.js';

let dir: string;
let path: string;
const procs: Proc[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oc-lock-'));
  path = join(dir, 'audit.jsonl');
});
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.kill()));
  rmSync(dir, { recursive: true, force: true });
});
const spawnWriter = (...args: Parameters<typeof writer>) => {
  const p = writer(...args);
  procs.push(p);
  return p;
};

const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const startTicks = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};
/** A pid that was just in use and is not any more. */
async function deadPid(): Promise<number> {
  const p = start(['-e', '']);
  await p.exited;
  return p.pid;
}

async function openLocal(onRecover?: (r: AuditRecovery) => void) {
  const recoveries: AuditRecovery[] = [];
  const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path, onRecover: (r) => (recoveries.push(r), onRecover?.(r)) });
  return { log, recoveries };
}

describe('file log: one writer across processes', () => {
  it('a second process gets AUDIT_LOG_LOCKED at open, naming the holder, and the first one\'s log stays valid', async () => {
    const first = spawnWriter(path, 0, 'forever');
    await first.line('ack 20');
    const second = spawnWriter(path, 0, 'forever'); // on the old code both wrote, lines interleaved
    const answer = await second.line('open', 'error');
    expect(answer).toMatch(/^error AUDIT_LOG_LOCKED .*being written by pid (\d+)/);
    expect(answer).toContain(`pid ${first.pid} `);
    expect((await second.exited).code).toBe(3);
    // In this process too, while the first one keeps appending.
    const { log } = await openLocal();
    await expect(log.head()).rejects.toMatchObject({ code: 'AUDIT_LOG_LOCKED' });
    await first.line('ack 60');
    await first.kill();
    const acked = Math.max(...first.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.split(' ')[1])));
    const reopened = await openLocal();
    expect((await reopened.log.verify()).valid).toBe(true);
    expect((await reopened.log.head())!.seq).toBeGreaterThanOrEqual(acked);
    const seqs = (await reopened.log.entries()).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    await reopened.log.close();
  });

  it('the holder SIGKILLed: the next open takes over its stale lock, reports it through onRecover and appends', async () => {
    const holder = spawnWriter(path, 3, 'hold');
    await holder.line('ack 3');
    await holder.kill();
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toMatchObject({ pid: holder.pid, bootId: bootId(), hostname: hostname() });
    const next = spawnWriter(path, 2);
    await next.line('closed');
    expect(next.lines[0]).toMatch(new RegExp(`^recover stale-lock .*pid ${holder.pid} .*is no longer running`));
    expect(next.lines.slice(1)).toEqual(['open 3', 'ack 4', 'ack 5', 'closed']);
    expect(existsSync(`${path}.lock`)).toBe(false); // released at close
    expect(readdirSync(dir).filter((f) => f.includes('.lock'))).toEqual([]); // the stale one removed, no takeover guard left
    const { log, recoveries } = await openLocal();
    expect(await log.verify()).toEqual({ valid: true, count: 5 });
    expect(recoveries).toEqual([]); // a clean close leaves nothing to take over
    await log.close();
  });

  it('two racing takeovers of one stale lock: exactly one process wins, the others get AUDIT_LOG_LOCKED', async () => {
    let holder = spawnWriter(path, 1, 'hold');
    for (let round = 0; round < 4; round++) {
      await holder.line('ack');
      await holder.kill(); // a stale lock for this round
      const racers = Array.from({ length: 3 }, () => spawnWriter(path, 1, 'hold', 'wait'));
      await Promise.all(racers.map((r) => r.line('loaded')));
      for (const r of racers) r.child.stdin!.write('go\n'); // as close together as the OS lets them start
      const answers = await Promise.all(racers.map((r) => r.line('open', 'error')));
      const winners = racers.filter((_, i) => answers[i]!.startsWith('open'));
      expect(winners.length, JSON.stringify(answers)).toBe(1);
      expect(answers.filter((a) => a.startsWith('error AUDIT_LOG_LOCKED'))).toHaveLength(2);
      // The takeover is reported once at most: usually by the winner; when a racer that found no
      // lock at all (another had just removed the stale one) wins the create, nobody took over.
      expect(racers.flatMap((r) => r.lines).filter((l) => l.startsWith('recover stale-lock')).length).toBeLessThanOrEqual(1);
      expect(answers.filter((a) => a.startsWith('open')).length + answers.filter((a) => a.startsWith('error AUDIT_LOG_LOCKED')).length).toBe(3);
      expect(answers.filter((a) => a.startsWith('error')).every((a) => a.includes(`pid ${winners[0]!.pid} `))).toBe(true);
      holder = winners[0]!;
    }
    await holder.line('ack');
    await holder.kill();
    const { log } = await openLocal();
    expect(await log.verify()).toEqual({ valid: true, count: 5 });
    await log.close();
  });

  it('racing takeovers inside one process (the lock module, 40 rounds of 12): exactly one wins each time', async () => {
    const lockPath = join(dir, 'x.lock');
    for (let round = 0; round < 40; round++) {
      writeFileSync(lockPath, JSON.stringify({ pid: await deadPid(), hostname: hostname(), bootId: bootId(), startedAt: '2020-01-01T00:00:00.000Z', startTicks: '1' }));
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => acquireFileLock(lockPath)));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof FileLockedError)).toHaveLength(11);
      await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireFileLock>>>).value.release();
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('a lock whose pid is alive but started at another time (pid reuse) is stale; the same pid with its real start time is held', async () => {
    const sleeper = start(['-e', 'setInterval(() => {}, 1e9)']);
    procs.push(sleeper);
    const lock = { pid: sleeper.pid, hostname: hostname(), bootId: bootId(), startedAt: '2020-01-01T00:00:00.000Z' };
    writeFileSync(`${path}.lock`, JSON.stringify({ ...lock, startTicks: startTicks(sleeper.pid) }));
    const held = await openLocal();
    await expect(held.log.head()).rejects.toMatchObject({ code: 'AUDIT_LOG_LOCKED', message: expect.stringContaining(`pid ${sleeper.pid} `) });

    writeFileSync(`${path}.lock`, JSON.stringify({ ...lock, startTicks: '1' })); // that pid, but not that process
    const reused = await openLocal();
    expect((await reused.log.append(sampleEntry(0))).seq).toBe(1);
    expect(reused.recoveries.map((r) => [r.kind, r.message])).toEqual([['stale-lock', expect.stringMatching(new RegExp(`pid ${sleeper.pid} .*pid now belongs to another process`))]]);
    await reused.log.close();

    writeFileSync(`${path}.lock`, JSON.stringify({ ...lock, bootId: '00000000-0000-0000-0000-000000000000', startTicks: startTicks(sleeper.pid) }));
    const rebooted = await openLocal();
    expect((await rebooted.log.append(sampleEntry(1))).seq).toBe(2);
    expect(rebooted.recoveries.map((r) => r.message)).toEqual([expect.stringContaining('ran before a reboot')]);
    await rebooted.log.close();
  });

  it('an unreadable lock file is taken over once it is old enough not to be one still being written', async () => {
    writeFileSync(`${path}.lock`, '');
    const t0 = Date.now();
    const { log, recoveries } = await openLocal();
    expect((await log.append(sampleEntry(0))).seq).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500); // waited for a writer that might still be filling it in
    expect(recoveries.map((r) => r.message)).toEqual([expect.stringContaining('unreadable lock file')]);
    await log.close();
  });
});

describe('file log: read-only opens need no lock', () => {
  it('reads and verifies while another process holds the log, and writes or repairs nothing', async () => {
    const holder = spawnWriter(path, 5, 'hold');
    await holder.line('ack 5');
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"seq":6,"unfinish`); // a torn tail the holder would cut on its next open
    const before = readdirSync(dir).sort();
    const sizeBefore = readFileSync(path).length;
    const store = createFileAuditStore(path, { readOnly: true });
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, store });
    expect(await log.verify()).toEqual({ valid: true, count: 5 });
    expect((await log.head())!.seq).toBe(5);
    await expect(log.append(sampleEntry(9))).rejects.toMatchObject({ code: 'AUDIT_STORE_UNAVAILABLE' });
    await expect(log.markSynced(3)).rejects.toMatchObject({ code: 'AUDIT_STORE_UNAVAILABLE' });
    await log.close();
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readFileSync(path).length).toBe(sizeBefore);
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).pid).toBe(holder.pid); // still the holder's

    const missing = createFileAuditStore(join(dir, 'none', 'audit.jsonl'), { readOnly: true });
    expect(await missing.open()).toEqual({ head: null, base: null, syncedSeq: 0, recovered: [] });
    await missing.close();
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });

  it('`offline-consent audit verify` passes again and again while a writer holds the log and appends', async () => {
    const run = promisify(execFile);
    const key = join(dir, 'audit-key.pem');
    writeFileSync(key, AUDIT_KEY.publicKey);
    const holder = spawnWriter(path, 0, 'forever');
    await holder.line('ack 30');
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { stdout } = await run(process.execPath, ['dist/cli.js', 'audit', 'verify', path, '--public-key', key, '--json'], { timeout: 30_000 });
      const out = JSON.parse(stdout);
      expect(out).toMatchObject({ valid: true });
      counts.push(out.count);
    }
    expect(counts[3]).toBeGreaterThan(counts[0]!); // it kept appending meanwhile
    expect(existsSync(`${path}.lock`)).toBe(true);
  });
});
