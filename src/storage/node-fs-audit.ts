/// <reference types="node" />
import { constants } from 'node:fs';
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { SignedAuditEntry } from '../audit/types.js';
import { AuditLogError } from '../errors.js';
import { checkMetaName, headOf, orderEntryFields, type AuditHead, type AuditRecovery, type AuditStore, type AuditStoreState } from '../audit/audit-store.js';
import { checkMetaValue } from '../audit/json-value.js';
import { FILE_MODE, fsyncDir } from './node-fs-atomic.js';
import { acquireFileLock, describeHolder, FileLockedError, type FileLock } from './node-fs-lock.js';
import { readSegmentEnds } from './node-fs-ends.js';
import { readEntryLines } from './node-fs-lines.js';
import { seekSeq } from './node-fs-seek.js';
import { createMarkFile } from './node-fs-mark.js';
import { isErrno, openIfExists, parseHead, parseMeta, readOptional, readSyncedMarker, staleLockRecovery, writeAt, writeSide } from './node-fs-sidecars.js';

/** Options of {@link createFileAuditStore}. */
export interface FileAuditStoreOptions {
  /**
   * Testing only, for a fault the OS cannot produce on demand: called before each batch is
   * written; returning `{ failAfterBytes }` writes that many bytes of the batch and then
   * fails the write, as a full disk would.
   */
  faultHook?: (batch: { entries: number; bytes: number }) => { failAfterBytes: number } | void;
  /**
   * Open for reading only (`audit verify`, export): takes no lock, so it works while a writer
   * holds the log, and never writes or repairs anything (a torn tail is just not read).
   */
  readOnly?: boolean;
}

/** The live segment: its file handles, committed size and first seq. */
interface Segment {
  /** Reads, `none` writes, repairs. */
  fh: FileHandle | null;
  /** `fsync` writes: opened O_DSYNC, so one write call returns only once the data is on disk. */
  syncFh: FileHandle | null;
  size: number;
  firstSeq: number;
  readers: number;
  retired: boolean;
}

const openPaths = new Set<string>(); // one writer per file in this process, or the chain forks (<log>.lock: across processes)
const closing = new Map<string, Promise<void>>(); // a store closing on this path: the next open waits for its lock to go

/**
 * The Node file store: JSON Lines exactly as `@grantex/gemma` writes them, so either side
 * opens the other's log. Beside `<log>`: `<log>.synced` (last synced seq, decimal text, as
 * upstream), `<log>.head` (the head at the last rotation), `<log>.meta` (small JSON values)
 * `<log>.hwm` (the sealed high-water mark: two slots written in place, after the entries they
 * cover are durable) and rotated segments `<log>.<firstSeq>-<lastSeq>.bak`.
 *
 * Crash safety: a batch is one write at the committed end (O_DSYNC for `fsync`); on open an
 * unterminated last line (a write cut short) is cut off and reported. A failed write is
 * truncated back, so a rejected append leaves nothing behind.
 */
export function createFileAuditStore(logPath: string, options: FileAuditStoreOptions = {}): AuditStore {
  if (typeof logPath !== 'string' || logPath === '') throw new TypeError('logPath must be a non-empty string');
  const path = resolve(logPath);
  const dir = dirname(path);
  let segment: Segment = { fh: null, syncFh: null, size: 0, firstSeq: 1, readers: 0, retired: true };
  let head: AuditHead | null = null;
  let meta: Record<string, unknown> = {};
  let dirSynced = false; // the live file's directory entry is known durable
  let broken: unknown = null; // a failed write that could not be undone: reopen to repair
  let isOpen = false;
  const readOnly = options.readOnly === true;
  let lock: FileLock | null = null; // <log>.lock while open for writing: only its holder writes anything
  const markFile = createMarkFile(`${path}.hwm`); // the high-water mark's two slots, written in place

  /** Retires a segment; its read handle closes once the last reader is done. Idempotent. */
  async function release(seg: Segment): Promise<void> {
    seg.retired = true;
    const { syncFh, fh } = seg;
    seg.syncFh = null;
    await syncFh?.close();
    if (seg.readers === 0 && fh) {
      seg.fh = null;
      await fh.close();
    }
  }

  function checkOpen(): void {
    if (!isOpen) throw new AuditLogError(`Audit file ${path} is not open`, 'AUDIT_LOG_CLOSED');
  }

  function checkWritable(): void {
    checkOpen();
    if (readOnly) throw new AuditLogError(`Audit file ${path} is open read-only`, 'AUDIT_STORE_UNAVAILABLE');
  }

  async function archive(firstSeq: number, lastSeq: number): Promise<void> {
    await rename(path, `${path}.${firstSeq}-${lastSeq}.bak`);
    await fsyncDir(dir);
  }

  async function openOrThrow(): Promise<AuditStoreState> {
    const recovered: AuditRecovery[] = [];
    const base = parseHead(await readOptional(`${path}.head`), `${path}.head`);
    meta = parseMeta(await readOptional(`${path}.meta`), `${path}.meta`);
    const fh = readOnly ? await openIfExists(path) : await open(path, constants.O_RDWR | constants.O_CREAT, FILE_MODE);
    let ends;
    try {
      const { size } = fh ? await fh.stat() : { size: 0 };
      dirSynced = size > 0;
      ends = fh ? await readSegmentEnds(fh, size) : { first: null, last: null, completeBytes: 0 };
      if (ends.completeBytes < size && fh && !readOnly) {
        await fh.truncate(ends.completeBytes);
        await fh.datasync();
        recovered.push({
          kind: 'torn-tail',
          droppedBytes: size - ends.completeBytes,
          message: `Cut ${size - ends.completeBytes} bytes of an unfinished last line; the log ends at seq ${ends.last?.seq ?? base?.seq ?? 0}`,
        });
      }
    } catch (error) {
      await fh?.close();
      throw error;
    }
    segment = { fh, syncFh: null, size: ends.completeBytes, firstSeq: ends.first?.seq ?? (base ? base.seq + 1 : 1), readers: 0, retired: false };
    if (ends.first && ends.last && base && base.seq >= ends.first.seq) {
      // Crash between writing <log>.head and renaming the segment: finish that rotation.
      if (base.seq !== ends.last.seq || base.hash !== ends.last.hash) {
        throw new AuditLogError(`${path}.head (seq ${base.seq}) does not match the log`, 'AUDIT_STORE_CORRUPT');
      }
      await release(segment);
      if (!readOnly) await archive(ends.first.seq, ends.last.seq); // read-only: seen as completed, left as it is
      segment = { fh: null, syncFh: null, size: 0, firstSeq: base.seq + 1, readers: 0, retired: false };
      ends = { first: null, last: null, completeBytes: 0 };
      if (!readOnly) recovered.push({ kind: 'interrupted-rotation', droppedBytes: 0, message: `Completed the rotation of seq ${base.seq}` });
    }
    head = ends.last ? headOf(ends.last) : base;
    const syncedSeq = readSyncedMarker(await readOptional(`${path}.synced`), head?.seq ?? 0, segment.firstSeq - 1, recovered);
    broken = null;
    return { head, base, syncedSeq, recovered };
  }

  return {
    async open() {
      if (isOpen) throw new AuditLogError(`Audit file ${path} is already open`, 'AUDIT_LOG_LOCKED');
      if (readOnly) {
        try {
          const state = await openOrThrow();
          isOpen = true;
          return state;
        } catch (error) {
          await release(segment);
          throw isErrno(error) ? new AuditLogError(`Cannot open audit file ${path} for reading (${error.code})`, 'AUDIT_STORE_UNAVAILABLE', { cause: error }) : error;
        }
      }
      await closing.get(path);
      if (openPaths.has(path)) throw new AuditLogError(`Audit file ${path} is already open in this process`, 'AUDIT_LOG_LOCKED');
      openPaths.add(path);
      try {
        await mkdir(dir, { recursive: true });
        lock = await acquireFileLock(`${path}.lock`); // before anything is read or repaired
        const state = await openOrThrow();
        if (lock.tookOver) state.recovered.unshift(staleLockRecovery(lock.tookOver));
        isOpen = true;
        return state;
      } catch (error) {
        await release(segment);
        await lock?.release();
        lock = null;
        openPaths.delete(path);
        if (error instanceof FileLockedError) {
          throw new AuditLogError(`Audit file ${path} is being written by ${error.holder ? describeHolder(error.holder) : 'another process'} (${error.lockPath})`, 'AUDIT_LOG_LOCKED', { cause: error });
        }
        throw isErrno(error) ? new AuditLogError(`Cannot open audit file ${path} for writing (${error.code})`, 'AUDIT_STORE_UNAVAILABLE', { cause: error }) : error;
      }
    },

    async append(entries: readonly SignedAuditEntry[], { durability, mark }) {
      checkWritable();
      const markFailure = markFile.takeFailure(); // the last mark write failed: refuse before writing anything
      if (markFailure) throw markFailure;
      const last = entries[entries.length - 1];
      if (!last) return;
      const bytes = Buffer.from(entries.map((e) => `${JSON.stringify(orderEntryFields(e))}\n`).join(''), 'utf8');
      const seg = segment;
      if (broken) {
        // Try the undo again (the file may be writable again): until it works nothing is appended.
        try {
          await undo(seg);
          broken = null;
        } catch (repairError) {
          throw new AuditLogError('An earlier failed write could not be undone yet; nothing was appended', 'AUDIT_WRITE_FAILED', { cause: repairError });
        }
      }
      try {
        seg.fh ??= await open(path, constants.O_RDWR | constants.O_CREAT, FILE_MODE);
        if (durability === 'fsync') seg.syncFh ??= await open(path, constants.O_WRONLY | constants.O_DSYNC);
        const fault = options.faultHook?.({ entries: entries.length, bytes: bytes.length });
        const target = durability === 'fsync' ? seg.syncFh! : seg.fh;
        await writeAt(target, fault ? bytes.subarray(0, fault.failAfterBytes) : bytes, seg.size);
        if (fault) throw new Error(`Injected write fault after ${fault.failAfterBytes} bytes (faultHook)`);
        if (durability === 'fsync' && !dirSynced) {
          await fsyncDir(dir); // a new file's directory entry must be durable too
          dirSynced = true;
        }
      } catch (error) {
        // Undo whatever part of the batch landed, so the file holds only acknowledged entries.
        try {
          await undo(seg);
        } catch (repairError) {
          broken = repairError;
        }
        throw error;
      }
      if (seg.size === 0) seg.firstSeq = entries[0]!.seq;
      seg.size += bytes.length;
      head = headOf(last);
      // Only now, with the entries it covers durable; flushed while the next batch is written.
      if (mark) markFile.writeBehind(mark);
    },

    async *read({ fromSeq, limit } = {}) {
      checkOpen();
      // Snapshot as iteration starts: entries appended meanwhile are not included, and a
      // rotation meanwhile does not disturb this reader (it keeps the renamed file's handle).
      const seg = segment;
      const end = seg.size;
      const lastSeq = head?.seq ?? 0;
      const from = Math.max(fromSeq ?? seg.firstSeq, seg.firstSeq);
      const fh = seg.fh;
      if (!fh || end === 0 || from > lastSeq || limit === 0) return;
      seg.readers++;
      try {
        const start = from > seg.firstSeq ? await seekSeq(fh, end, seg.firstSeq, from) : { offset: 0, seq: seg.firstSeq };
        let n = 0;
        for await (const entry of readEntryLines(fh, start.offset, end, start.seq - seg.firstSeq)) {
          if (entry.seq < from) continue;
          yield entry;
          if (limit !== undefined && ++n >= limit) return;
        }
      } finally {
        seg.readers--;
        if (seg.retired) await release(seg);
      }
    },

    async setSynced(seq) {
      checkWritable();
      await writeSide(`${path}.synced`, String(seq));
    },

    async getMeta<T>(name: string): Promise<T | undefined> {
      checkMetaName(name);
      const value = meta[name];
      return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as T);
    },

    async setMeta(name, value) {
      checkWritable();
      checkMetaName(name);
      const next = { ...meta };
      if (value === undefined) delete next[name];
      else next[name] = JSON.parse(JSON.stringify(checkMetaValue(value, name)));
      await writeSide(`${path}.meta`, JSON.stringify(next));
      meta = next;
    },

    async rotate({ ifLargerThan }) {
      checkOpen();
      if (readOnly) return false;
      const seg = segment;
      if (!head || seg.size === 0 || seg.size <= ifLargerThan) return false;
      // The head goes to its sidecar first: a crash before the rename is completed on open.
      await writeSide(`${path}.head`, JSON.stringify(head));
      await archive(seg.firstSeq, head.seq);
      segment = { fh: null, syncFh: null, size: 0, firstSeq: head.seq + 1, readers: 0, retired: false };
      dirSynced = false;
      await release(seg);
      return true;
    },

    async readMark() {
      checkOpen();
      return markFile.read();
    },

    async writeMark(mark) {
      checkWritable();
      await markFile.write(mark);
    },

    async close() {
      if (!isOpen) return;
      isOpen = false;
      const markClosed = markFile.close().catch(() => {}); // a store opened next on this path waits for its pending write
      if (readOnly) return release(segment);
      openPaths.delete(path);
      const done = (async () => {
        try {
          await release(segment);
          await markClosed;
        } finally {
          await lock?.release(); // last: nothing of this store writes after it
          lock = null;
        }
      })();
      closing.set(path, done.catch(() => {}));
      try {
        await done;
      } finally {
        if (closing.get(path) !== undefined) closing.delete(path);
      }
    },
  };
}

/** Cuts the live file back to its committed size (whatever part of a failed batch landed). */
async function undo(seg: Segment): Promise<void> {
  await seg.fh?.truncate(seg.size);
  await seg.fh?.datasync();
}
