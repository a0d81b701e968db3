import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HashChainError,
  createFileAuditStore,
  createOfflineAuditLog,
  verifyChain,
  type AuditRecovery,
  type SignedAuditEntry,
} from '../../src/node.js';
import { AUDIT_KEY, sampleEntry } from '../helpers/chain.js';
import { describeRekey } from '../helpers/rekey-suite.js';
import { describeMark } from '../helpers/mark-suite.js';
import { openSync, closeSync, writeSync, unlinkSync } from 'node:fs';
import type { AuditStore } from '../../src/node.js';

const entry = (i: number) => sampleEntry(i, { metadata: { i, note: 'x'.repeat(100) } });

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oc-log-'));
  path = join(dir, 'audit.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = () => readFileSync(path, 'utf8').split('\n').filter(Boolean);

async function writeLog(count: number, options: { durability?: 'fsync' | 'none' } = {}): Promise<SignedAuditEntry[]> {
  const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path, ...options });
  const out = await Promise.all(Array.from({ length: count }, (_, i) => log.append(entry(i))));
  await log.close();
  return out;
}

describe('file log: format and restart', () => {
  it('writes one JSON line per entry, in upstream field order, ending with a newline', async () => {
    const written = await writeLog(3);
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(lines()).toEqual(written.map((e) => JSON.stringify(e)));
    expect(Object.keys(JSON.parse(lines()[0]!))).toEqual(['seq', 'timestamp', 'action', 'agentDID', 'grantId', 'scopes', 'result', 'metadata', 'prevHash', 'hash', 'signature']);
  });

  it('reopens and continues the chain; the synced marker is decimal text beside the log', async () => {
    const first = await writeLog(5);
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    await log.markSynced(4);
    expect(readFileSync(`${path}.synced`, 'utf8')).toBe('4');
    const next = await log.append(entry(5));
    expect(next).toMatchObject({ seq: 6, prevHash: first[4]!.hash });
    expect(await log.unsyncedCount()).toBe(2);
    expect(await log.verify()).toEqual({ valid: true, count: 6 });
    await log.close();
  });

  it("durability 'none' writes the same bytes", async () => {
    await writeLog(3, { durability: 'none' });
    expect(await verifyChain(lines().map((l) => JSON.parse(l)), { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: true, count: 3 });
  });

  it('one writer per file in a process: a second open is AUDIT_LOG_LOCKED until the first closes', async () => {
    const a = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    await a.append(entry(0));
    const b = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    await expect(b.append(entry(1))).rejects.toMatchObject({ code: 'AUDIT_LOG_LOCKED' });
    await a.close();
    const c = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    expect((await c.append(entry(1))).seq).toBe(2);
    await c.close();
  });
});

describe('file log: crash recovery', () => {
  it('a torn last line is cut off on open, reported, and the chain continues from the last complete entry', async () => {
    const written = await writeLog(4);
    const sizeBefore = statSync(path).size;
    const torn = `${JSON.stringify({ ...written[3], seq: 5 })}`.slice(0, 90); // half a line, no newline
    appendFileSync(path, torn);
    const recoveries: AuditRecovery[] = [];
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path, onRecover: (r) => recoveries.push(r) });
    expect(await log.head()).toMatchObject({ seq: 4, hash: written[3]!.hash });
    expect(recoveries).toEqual([expect.objectContaining({ kind: 'torn-tail', droppedBytes: 90 })]);
    expect(statSync(path).size).toBe(sizeBefore);
    const next = await log.append(entry(4));
    expect(next).toMatchObject({ seq: 5, prevHash: written[3]!.hash });
    expect(await log.verify()).toEqual({ valid: true, count: 5 });
    await log.close();
  });

  it('a torn first line leaves an empty log that starts at genesis', async () => {
    writeFileSync(path, '{"seq":1,"timestamp":"2026-');
    const recoveries: AuditRecovery[] = [];
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path, onRecover: (r) => recoveries.push(r) });
    expect(await log.head()).toBeNull();
    expect(recoveries.map((r) => r.kind)).toEqual(['torn-tail']);
    expect((await log.append(entry(0))).seq).toBe(1);
    await log.close();
  });

  it('an edited entry in the middle: the log opens, verify() throws HashChainError at its index', async () => {
    await writeLog(10);
    const all = lines();
    all[2] = all[2]!.replace('"result":"success"', '"result":"auth_failure"');
    writeFileSync(path, `${all.join('\n')}\n`);
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    const error = await log.verify().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HashChainError);
    expect(error).toMatchObject({ code: 'HASH_CHAIN_BROKEN', brokenAt: 2, reason: 'hash' });
    await log.close();
  });

  it('a garbled line in the middle is a HashChainError (malformed) from entries() and verify(), never skipped', async () => {
    await writeLog(10);
    const all = lines();
    all[5] = '{"seq":6,"timestamp":garbage';
    writeFileSync(path, `${all.join('\n')}\n`);
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    await expect(log.entries()).rejects.toMatchObject({ name: 'HashChainError', brokenAt: 5, reason: 'malformed' });
    await expect(log.verify()).rejects.toMatchObject({ name: 'HashChainError', brokenAt: 5, reason: 'malformed' });
    await log.close();
  });

  it('a deleted line in the middle is a HashChainError', async () => {
    await writeLog(6);
    writeFileSync(path, `${lines().filter((_, i) => i !== 3).join('\n')}\n`);
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    await expect(log.verify()).rejects.toMatchObject({ name: 'HashChainError', brokenAt: 3, reason: 'seq' });
    await log.close();
  });

  it('a damaged last complete entry refuses to open (the next entry would chain from it)', async () => {
    await writeLog(4);
    const all = lines();
    all[3] = all[3]!.replace('"tool.call.3"', '"tool.call.X"');
    writeFileSync(path, `${all.join('\n')}\n`);
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    await expect(log.append(entry(9))).rejects.toMatchObject({ name: 'HashChainError', brokenAt: 3, reason: 'hash' });
    const garbled = `${all.slice(0, 3).join('\n')}\nnot json\n`;
    writeFileSync(path, garbled);
    const again = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    await expect(again.head()).rejects.toMatchObject({ name: 'HashChainError', brokenAt: 3, reason: 'malformed' });
    expect(readFileSync(path, 'utf8')).toBe(garbled); // nothing cut: only an unterminated tail is a torn write
  });

  it('an unreadable or too-high synced marker is reset and reported, never trusted', async () => {
    await writeLog(3);
    for (const [marker, expected] of [['garbage', 3], ['99', 3]] as const) { // 99: reset to before the live segment, not clamped to the head
      writeFileSync(`${path}.synced`, marker);
      const recoveries: AuditRecovery[] = [];
      const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path, onRecover: (r) => recoveries.push(r) });
      expect(await log.unsyncedCount()).toBe(expected);
      expect(recoveries.map((r) => r.kind)).toEqual(['synced-marker']);
      await log.close();
    }
  });

  it('a partial write (injected fault hook: disk full mid-batch) is undone; the log keeps working and reopens clean', async () => {
    let failNext = false;
    const store = createFileAuditStore(path, {
      faultHook: ({ bytes }) => (failNext ? ((failNext = false), { failAfterBytes: Math.floor(bytes / 2) }) : undefined),
    });
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, store });
    const ok = await Promise.all([0, 1, 2].map((i) => log.append(entry(i))));
    const size = statSync(path).size;
    failNext = true;
    const failed = await Promise.allSettled([3, 4, 5].map((i) => log.append(entry(i))));
    expect(failed.every((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'AUDIT_WRITE_FAILED')).toBe(true);
    expect(statSync(path).size).toBe(size); // the half batch is gone
    expect(await log.head()).toMatchObject({ seq: 3, hash: ok[2]!.hash });
    expect((await log.append(entry(6))).seq).toBe(4);
    await log.close();
    const reopened = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path, onRecover: () => expect.unreachable() });
    expect((await reopened.entries()).map((e) => e.action)).toEqual(['tool.call.0', 'tool.call.1', 'tool.call.2', 'tool.call.6']);
    expect(await reopened.verify()).toEqual({ valid: true, count: 4 });
    await reopened.close();
  });
});

describe('file log: rotation', () => {
  const small = { maxSizeMB: 2 / 1024 }; // 2 KB

  it('archives a synced segment as <log>.<first>-<last>.bak, keeps the head in <log>.head, and continues', async () => {
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path, ...small });
    const first = await Promise.all(Array.from({ length: 12 }, (_, i) => log.append(entry(i))));
    await log.markSynced(11);
    expect(existsSync(`${path}.1-12.bak`)).toBe(false); // one entry still unsynced
    await log.markSynced(12);
    expect(existsSync(`${path}.1-12.bak`)).toBe(true);
    expect(JSON.parse(readFileSync(`${path}.head`, 'utf8'))).toMatchObject({ seq: 12, hash: first[11]!.hash });
    const next = await log.append(entry(12));
    expect(next).toMatchObject({ seq: 13, prevHash: first[11]!.hash });
    await log.close();

    const reopened = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path, ...small });
    expect((await reopened.entries()).map((e) => e.seq)).toEqual([13]);
    expect(await reopened.verify()).toEqual({ valid: true, count: 1 });
    await reopened.close();
    // The archive plus the live segment are one chain from genesis.
    const archived = readFileSync(`${path}.1-12.bak`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(await verifyChain([...archived, JSON.parse(lines()[0]!)], { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: true, count: 13 });
  });

  it('a rotation cut short by a crash (head written, segment not yet renamed) is completed on open', async () => {
    const written = await writeLog(12);
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    await log.markSynced(12);
    await log.close();
    const last = written[11]!;
    writeFileSync(`${path}.head`, JSON.stringify({ seq: 12, hash: last.hash, timestamp: last.timestamp }));
    const recoveries: AuditRecovery[] = [];
    const reopened = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path, onRecover: (r) => recoveries.push(r) });
    expect(await reopened.entries()).toEqual([]);
    expect(recoveries.map((r) => r.kind)).toEqual(['interrupted-rotation']);
    expect(existsSync(`${path}.1-12.bak`)).toBe(true);
    expect((await reopened.append(entry(12))).prevHash).toBe(last.hash);
    await reopened.close();
    expect(readdirSync(dir).sort()).toEqual(['audit.jsonl', 'audit.jsonl.1-12.bak', 'audit.jsonl.head', 'audit.jsonl.hwm', 'audit.jsonl.synced']);
  });
});

describeRekey('file store', () => createFileAuditStore(join(mkdtempSync(join(tmpdir(), 'oc-rekey-')), 'audit.jsonl')));

// The mark suite on real files: the attacker edits the JSONL and its sidecars directly.
const markPaths = new WeakMap<AuditStore, string>();
let markLogs = 0;
describeMark('file store', {
  makeStore() {
    const file = join(dir, `mark-${++markLogs}.jsonl`);
    const store = createFileAuditStore(file);
    markPaths.set(store, file);
    return store;
  },
  async cutTail(store, keep) {
    const file = markPaths.get(store)!;
    const kept = readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(0, keep);
    writeFileSync(file, kept.map((l) => `${l}\n`).join('')); // the first `keep` lines, nothing else changed
    return store;
  },
  async dropMeta(store) {
    unlinkSync(`${markPaths.get(store)!}.meta`); // the whole meta file, latch and all
    return store;
  },
  async damageSlot(store, slot) {
    const fd = openSync(`${markPaths.get(store)!}.hwm`, 'r+');
    writeSync(fd, Buffer.from('{"body":"torn write'), 0, 19, slot * 2048);
    closeSync(fd);
    return store;
  },
  async dropMark(store) {
    if (existsSync(`${markPaths.get(store)!}.hwm`)) unlinkSync(`${markPaths.get(store)!}.hwm`);
    return store;
  },
});
