// Disk full and read-only storage under the file audit log and the bundle file, on a real tiny
// ext4 filesystem (loop image) where the machine can mount one, else on an injected fs fault
// hook (the test names say which). What must hold: a typed error, nothing acknowledged lost,
// the log reopens valid at its last acknowledged entry, and writing works again afterwards.
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import vectors from '../../vectors/interop-vectors.json';
import { smallFs } from './small-fs.js';

const fs = smallFs(); // before the code under test loads: the stand-in hook must wrap its fs
const { createOfflineAuditLog, storeBundle, loadBundle, deleteBundle } = await import('../../../src/node.js');
const { AUDIT_KEY, sampleEntry } = await import('../../helpers/chain.js');
type SignedAuditEntry = import('../../../src/node.js').SignedAuditEntry;

afterAll(() => fs.dispose());

// Entries of ~600 bytes: a burst of 40 needs many blocks, more than a full disk has left.
const entry = (i: number) => sampleEntry(i, { metadata: { i, note: 'n'.repeat(400) } });
let n = 0;
const freshDir = () => {
  const d = join(fs.dir, `case-${++n}`);
  mkdirSync(d);
  return d;
};
const codeOf = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ok');
const causeCode = (e: unknown) => ((e as { cause?: { code?: string } }).cause ?? {}).code;

/** The file holds exactly these entries, one JSON line each, in order. */
function expectFileHolds(path: string, entries: SignedAuditEntry[]): void {
  const lines = readFileSync(path, 'utf8').split('\n');
  expect(lines.pop()).toBe(''); // ends with a newline: no torn tail
  expect(lines.map((l) => JSON.parse(l).hash)).toEqual(entries.map((e) => e.hash));
}

describe(`audit file log on a full disk (${fs.how})`, () => {
  it.each(['fsync', 'none'] as const)('durability %s: ENOSPC is AUDIT_WRITE_FAILED, acknowledged entries stay, reopen verifies, appends resume once space returns', async (durability) => {
    const path = join(freshDir(), 'audit.jsonl');
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path, durability });
    const acked = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(entry(i))));
    await fs.fill();
    try {
      const burst = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => log.append(entry(100 + i))));
      expect(burst.map(codeOf)).toEqual(Array(40).fill('AUDIT_WRITE_FAILED'));
      expect(causeCode((burst[0] as PromiseRejectedResult).reason)).toBe('ENOSPC');
      expect(await log.head()).toMatchObject({ seq: 20, hash: acked[19]!.hash });
      // The synced marker cannot be written either: typed, and it keeps its old value.
      await expect(log.markSynced(10)).rejects.toMatchObject({ name: 'AuditLogError', code: 'AUDIT_WRITE_FAILED' });
      expect(await log.unsyncedCount()).toBe(20);
      expect(await log.verify()).toEqual({ valid: true, count: 20 });
      await log.close();
      expectFileHolds(path, acked); // nothing of the failed burst left behind

      // Reopened while the disk is still full: valid, at the last acknowledged entry.
      const reopened = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path, durability, onRecover: () => expect.unreachable() });
      expect(await reopened.head()).toMatchObject({ seq: 20, hash: acked[19]!.hash });
      expect(await reopened.verify()).toEqual({ valid: true, count: 20 });
      await fs.free();
      const next = await Promise.all(Array.from({ length: 40 }, (_, i) => reopened.append(entry(200 + i))));
      expect(next[0]).toMatchObject({ seq: 21, prevHash: acked[19]!.hash });
      await reopened.markSynced(60);
      expect(await reopened.verify()).toEqual({ valid: true, count: 60 });
      await reopened.close();
      expectFileHolds(path, [...acked, ...next]);
    } finally {
      await fs.free().catch(() => {});
    }
  });

  it('the same open log resumes by itself once space returns (no reopen)', async () => {
    const path = join(freshDir(), 'audit.jsonl');
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    const acked = await Promise.all(Array.from({ length: 5 }, (_, i) => log.append(entry(i))));
    await fs.fill();
    await expect(Promise.all(Array.from({ length: 40 }, (_, i) => log.append(entry(10 + i))))).rejects.toMatchObject({ code: 'AUDIT_WRITE_FAILED' });
    await fs.free();
    const after = await log.append(entry(99));
    expect(after).toMatchObject({ seq: 6, prevHash: acked[4]!.hash });
    expect(await log.verify()).toEqual({ valid: true, count: 6 });
    await log.close();
    expectFileHolds(path, [...acked, after]);
  });
});

describe(`audit file log on read-only storage (${fs.how})`, () => {
  it('an immutable log file (chattr +i) refuses appends with AUDIT_WRITE_FAILED and a reopen with AUDIT_STORE_UNAVAILABLE; nothing is lost and it resumes once writable', async () => {
    const path = join(freshDir(), 'audit.jsonl');
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    const acked = await Promise.all(Array.from({ length: 8 }, (_, i) => log.append(entry(i))));
    fs.setImmutable(path, true);
    try {
      const refused = await Promise.allSettled([log.append(entry(50)), log.append(entry(51))]);
      expect(refused.map(codeOf)).toEqual(['AUDIT_WRITE_FAILED', 'AUDIT_WRITE_FAILED']);
      expect(causeCode((refused[0] as PromiseRejectedResult).reason)).toBe('EPERM');
      // Still refused (the undo of the failed batch cannot run yet), and still typed.
      await expect(log.append(entry(52))).rejects.toMatchObject({ code: 'AUDIT_WRITE_FAILED' });
      expect(await log.head()).toMatchObject({ seq: 8, hash: acked[7]!.hash });
      expect(await log.verify()).toEqual({ valid: true, count: 8 });
      const second = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
      await log.close();
      await expect(second.head()).rejects.toMatchObject({ name: 'AuditLogError', code: 'AUDIT_STORE_UNAVAILABLE' });
    } finally {
      fs.setImmutable(path, false);
    }
    expectFileHolds(path, acked);
    const reopened = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path, onRecover: () => expect.unreachable() });
    expect(await reopened.verify()).toEqual({ valid: true, count: 8 });
    expect(await reopened.append(entry(60))).toMatchObject({ seq: 9, prevHash: acked[7]!.hash });
    await reopened.close();
  });

  it('an open log whose file turns writable again resumes without a reopen', async () => {
    const path = join(freshDir(), 'audit.jsonl');
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    const acked = await Promise.all(Array.from({ length: 3 }, (_, i) => log.append(entry(i))));
    fs.setImmutable(path, true);
    await expect(log.append(entry(10))).rejects.toMatchObject({ code: 'AUDIT_WRITE_FAILED' });
    fs.setImmutable(path, false);
    expect(await log.append(entry(11))).toMatchObject({ seq: 4, prevHash: acked[2]!.hash });
    expect(await log.verify()).toEqual({ valid: true, count: 4 });
    await log.close();
  });

  it('a filesystem remounted read-only: opening the log is AUDIT_STORE_UNAVAILABLE, storing or deleting a bundle BUNDLE_WRITE_FAILED, reading still works', async () => {
    const d = freshDir();
    const path = join(d, 'audit.jsonl');
    const bundlePath = join(d, 'bundle.bin');
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    const acked = await Promise.all(Array.from({ length: 4 }, (_, i) => log.append(entry(i))));
    await log.close();
    await storeBundle(vectors.legacyBundle.bundle as never, bundlePath, vectors.pythonBundle.keyHex);
    fs.setReadOnly(true);
    try {
      const ro = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
      const error = await ro.head().catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'AuditLogError', code: 'AUDIT_STORE_UNAVAILABLE' });
      expect(causeCode(error)).toBe('EROFS');
      await expect(storeBundle({ ...vectors.legacyBundle.bundle, bundleId: 'cb_new' } as never, bundlePath, vectors.pythonBundle.keyHex)).rejects.toMatchObject({ name: 'BundleWriteError', code: 'BUNDLE_WRITE_FAILED' });
      await expect(deleteBundle(bundlePath)).rejects.toMatchObject({ code: 'BUNDLE_WRITE_FAILED' });
      expect(await loadBundle(bundlePath, vectors.pythonBundle.keyHex)).toEqual({ ...vectors.legacyBundle.bundle, hwmRequired: true });
    } finally {
      fs.setReadOnly(false);
    }
    expectFileHolds(path, acked);
    const again = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: path });
    expect(await again.verify()).toEqual({ valid: true, count: 4 });
    expect(await again.append(entry(9))).toMatchObject({ seq: 5 });
    await again.close();
  });
});

describe(`storeBundle on a full disk and an immutable file (${fs.how})`, () => {
  const KEY = vectors.pythonBundle.keyHex;
  const v1 = vectors.legacyBundle.bundle as never;
  const v2 = { ...vectors.legacyBundle.bundle, bundleId: 'cb_refreshed', checkpointAt: 1 } as never;

  it('ENOSPC is BUNDLE_WRITE_FAILED, the stored bundle stays, no temporary file is left, and it stores once space returns', async () => {
    const d = freshDir();
    const path = join(d, 'bundle.bin');
    await storeBundle(v1, path, KEY);
    await fs.fill();
    try {
      const error = await storeBundle(v2, path, KEY).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'BundleWriteError', code: 'BUNDLE_WRITE_FAILED' });
      expect(causeCode(error)).toBe('ENOSPC');
      expect(await loadBundle(path, KEY)).toEqual({ ...(v1 as object), hwmRequired: true });
      expect(readdirSync(d)).toEqual(['bundle.bin']);
    } finally {
      await fs.free();
    }
    await storeBundle(v2, path, KEY);
    expect(await loadBundle(path, KEY)).toEqual({ ...(v2 as object), hwmRequired: true });
  });

  it('an immutable bundle file (chattr +i) is BUNDLE_WRITE_FAILED and stays as it was', async () => {
    const d = freshDir();
    const path = join(d, 'bundle.bin');
    await storeBundle(v1, path, KEY);
    fs.setImmutable(path, true);
    try {
      const error = await storeBundle(v2, path, KEY).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'BUNDLE_WRITE_FAILED' });
      expect(causeCode(error)).toBe('EPERM');
      expect(readdirSync(d)).toEqual(['bundle.bin']);
    } finally {
      fs.setImmutable(path, false);
    }
    expect(await loadBundle(path, KEY)).toEqual({ ...(v1 as object), hwmRequired: true });
  });
});
