/// <reference types="node" />
import { constants } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MARK_SLOT_BYTES } from '../audit/high-water-mark.js';
import type { AuditMarkWrite } from '../audit/audit-store.js';
import { AuditLogError } from '../errors.js';
import { fsyncDir } from './node-fs-atomic.js';

/** The `<log>.hwm` file of a file store: the high-water mark's two slots. */
export interface MarkFile {
  /** Both slots as written (null: empty or never written). */
  read(): Promise<[string | null, string | null]>;
  /** Writes one slot in place and flushes it (pwrite + fdatasync), after any write still pending. */
  write(mark: AuditMarkWrite): Promise<void>;
  /**
   * Queues a write without waiting for it, so the next batch's entries are written and
   * flushed while this one flushes; a failure is kept for `takeFailure`.
   */
  writeBehind(mark: AuditMarkWrite): void;
  /** The failure of a write-behind since the last call, if any (never waits). */
  takeFailure(): unknown;
  /** Waits for pending writes, then releases the file. */
  close(): Promise<void>;
}

/**
 * Two fixed-size slots (`MARK_SLOT_BYTES` each, sector-aligned) written **in place** with
 * pwrite + fdatasync, never by rename: each write touches one slot only, so a write cut
 * short (power loss) damages at most that slot and the other still holds the previous mark.
 * A slot is its record, a newline, then zero bytes.
 */
/** Per path: the close of the last store on it, whose write-behind may still be landing; the next one waits for it. */
const closing = new Map<string, Promise<void>>();

export function createMarkFile(path: string): MarkFile {
  let fh: FileHandle | null = null;
  let dirSynced = false;
  let tail: Promise<void> = Promise.resolve(); // slot writes stay in order
  let failure: unknown = null;

  function enqueue(mark: AuditMarkWrite): Promise<void> {
    const before = closing.get(path);
    const done = tail.then(async () => {
      await before;
      await writeNow(mark);
    });
    tail = done.catch(() => {});
    return done;
  }

  async function writeNow({ slot, record }: AuditMarkWrite): Promise<void> {
    const buf = Buffer.alloc(MARK_SLOT_BYTES);
    const n = buf.write(`${record}\n`, 'utf8');
    if (n >= MARK_SLOT_BYTES) throw new RangeError(`High-water mark record over ${MARK_SLOT_BYTES - 1} bytes`);
    try {
      const h = await handle();
      for (let done = 0; done < buf.length; ) done += (await h.write(buf, done, buf.length - done, slot * MARK_SLOT_BYTES + done)).bytesWritten;
      await h.datasync();
      if (!dirSynced) {
        await fsyncDir(dirname(path)); // a new file's directory entry must be durable too
        dirSynced = true;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new AuditLogError(`Could not write the high-water mark ${path} (${code})`, 'AUDIT_WRITE_FAILED', { cause: error });
    }
  }

  async function handle(): Promise<FileHandle> {
    if (fh) return fh;
    try {
      fh = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      fh = await open(path, constants.O_RDWR);
      dirSynced = true;
    }
    return fh;
  }

  return {
    async read() {
      await closing.get(path);
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [null, null];
        throw error;
      }
      const slot = (i: number): string | null => {
        const raw = bytes.subarray(i * MARK_SLOT_BYTES, (i + 1) * MARK_SLOT_BYTES);
        const end = raw.indexOf(0x0a);
        const text = raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
        return text === '' || text.charCodeAt(0) === 0 ? null : text;
      };
      return [slot(0), slot(1)];
    },

    write: enqueue,

    writeBehind(mark) {
      enqueue(mark).catch((error: unknown) => {
        failure ??= error;
      });
    },

    takeFailure() {
      const f = failure;
      failure = null;
      return f;
    },

    close() {
      const done = (async () => {
        await tail;
        const h = fh;
        fh = null;
        await h?.close();
      })();
      closing.set(path, done);
      void done.finally(() => {
        if (closing.get(path) === done) closing.delete(path);
      });
      return done;
    },
  };
}
