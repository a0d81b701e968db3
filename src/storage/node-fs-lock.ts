/// <reference types="node" />
import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { OfflineConsentError } from '../errors.js';

/** Who holds a lock: what the lock file says, as JSON. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** `/proc/sys/kernel/random/boot_id`, or null where the OS does not say. */
  bootId: string | null;
  /** When the holding process started (ISO 8601). */
  startedAt: string;
  /** Field 22 of `/proc/<pid>/stat` (start time in clock ticks since boot), or null: tells pid reuse apart. */
  startTicks: string | null;
}

/** Why a lock was found abandoned. */
export type StaleReason = 'dead' | 'rebooted' | 'pid-reused' | 'unreadable';

/** A lock taken over from a holder that is gone. */
export interface StaleLock {
  /** The old holder, or null when its lock file was unreadable. */
  holder: LockHolder | null;
  reason: StaleReason;
}

export interface FileLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Set when this lock was taken over from a holder that is gone. */
  readonly tookOver: StaleLock | null;
  /** Removes the lock file if it is still this lock's. Idempotent. */
  release(): Promise<void>;
}

/** The lock is held by a live process (or by one on another host, which cannot be checked). */
export class FileLockedError extends OfflineConsentError {
  readonly lockPath: string;
  readonly holder: LockHolder | null;
  constructor(lockPath: string, holder: LockHolder | null) {
    super(`${lockPath} is held by ${holder ? describeHolder(holder) : 'another process'}`, 'FILE_LOCKED');
    this.name = 'FileLockedError';
    this.lockPath = lockPath;
    this.holder = holder;
  }
}

/** `pid 123 (started 2025-01-01T00:00:00.000Z on host pi)`. */
export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} (started ${h.startedAt} on host ${h.hostname})`;
}

/** A lock file written this recently but not yet readable may still be being written. */
const WRITING_GRACE_MS = 2_000;
const MAX_ATTEMPTS = 200;

let self: Promise<LockHolder> | null = null;
function selfHolder(): Promise<LockHolder> {
  return (self ??= (async () => ({
    pid: process.pid,
    hostname: hostname(),
    bootId: await bootId(),
    startedAt: new Date(Math.round(performance.timeOrigin)).toISOString(),
    startTicks: (await procStat(process.pid))?.startTicks ?? null,
  }))());
}

async function bootId(): Promise<string | null> {
  try {
    return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

/** State (field 3) and start time (field 22) of `/proc/<pid>/stat`; null where there is no /proc. */
async function procStat(pid: number): Promise<{ state: string; startTicks: string } | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' '); // field 2 (comm) may hold spaces
    return fields[19] ? { state: fields[0]!, startTicks: fields[19] } : null;
  } catch {
    return null;
  }
}

/** A live holder, or why the lock is abandoned. */
async function judge(holder: LockHolder | null, me: LockHolder): Promise<'live' | StaleReason> {
  if (!holder) return 'unreadable';
  if (holder.hostname !== me.hostname) return 'live'; // another machine on a shared disk: its pids mean nothing here
  if (holder.bootId && me.bootId && holder.bootId !== me.bootId) return 'rebooted';
  // Our own pid: this process (another store in it), or an earlier process that had this pid.
  if (holder.pid === me.pid) return holder.startedAt === me.startedAt && holder.startTicks === me.startTicks ? 'live' : 'pid-reused';
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
    // EPERM: alive, another user's
  }
  const now = await procStat(holder.pid);
  if (now?.state === 'Z') return 'dead'; // exited, not yet reaped
  if (now && holder.startTicks && now.startTicks !== holder.startTicks) return 'pid-reused';
  return 'live';
}

interface Seen {
  text: string;
  ino: number;
  mtimeMs: number;
  holder: LockHolder | null;
}

async function readLock(path: string): Promise<Seen | null> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const { ino, mtimeMs } = await fh.stat();
    const text = await fh.readFile('utf8');
    return { text, ino, mtimeMs, holder: parseHolder(text) };
  } finally {
    await fh.close();
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isSafeInteger(h.pid) || h.pid! <= 0 || typeof h.hostname !== 'string' || typeof h.startedAt !== 'string') return null;
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    return { pid: h.pid!, hostname: h.hostname, bootId: str(h.bootId), startedAt: h.startedAt, startTicks: str(h.startTicks) };
  } catch {
    return null;
  }
}

/** The lock file at `path`, or null when it exists (O_EXCL: of many creators exactly one succeeds). */
async function create(path: string, text: string): Promise<number | null> {
  let fh;
  try {
    fh = await open(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  }
  try {
    await fh.writeFile(text);
    return (await fh.stat()).ino;
  } catch (error) {
    await fh.close().catch(() => {});
    fh = null;
    await unlink(path).catch(() => {});
    throw error;
  } finally {
    await fh?.close();
  }
}

/**
 * Removes the abandoned lock `seen`, serialised by a takeover guard (`<lock>.takeover`,
 * itself created with O_EXCL): only the guard's holder may remove a lock, and it removes it
 * only while it is still exactly `seen`. A live lock can only appear where there is none, so
 * it is never removed. Returns false when another process is taking over right now (retry).
 */
async function removeStale(path: string, seen: Seen, me: LockHolder, text: string): Promise<boolean> {
  const guard = `${path}.takeover`;
  const ino = await create(guard, text);
  if (ino === null) {
    const other = await readLock(guard);
    if (!other) return false; // released meanwhile
    const verdict = await judge(other.holder, me);
    // A guard left by a process that died while taking over, long enough ago: clear it.
    if (verdict !== 'live' && (verdict !== 'unreadable' || Date.now() - other.mtimeMs > WRITING_GRACE_MS)) await unlinkIfSame(guard, other);
    return false;
  }
  try {
    await unlinkIfSame(path, seen);
  } finally {
    await unlinkIfSame(guard, { ino, text });
  }
  return true;
}

/** Unlinks `path` if it is still the file `seen` (same inode and text). */
async function unlinkIfSame(path: string, seen: { ino: number; text: string }): Promise<void> {
  const now = await readLock(path).catch(() => null);
  if (now && now.ino === seen.ino && now.text === seen.text) await unlink(path).catch(() => {});
}

/**
 * Takes the exclusive lock file at `path` (created with O_EXCL, holding this process's pid,
 * boot id, start time and host). A lock whose holder is gone — dead, from before a reboot, or
 * a reused pid with another start time — is removed under a takeover guard and re-created; the lock returned
 * then says whom it took over from. A live holder: `FileLockedError`.
 */
export async function acquireFileLock(path: string): Promise<FileLock> {
  const me = await selfHolder();
  const text = `${JSON.stringify(me)}\n`;
  let stale: StaleLock | null = null;
  let last: Seen | null = null;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const ino = await create(path, text);
    if (ino !== null) return held(path, me, text, ino, stale);
    const seen = await readLock(path);
    if (!seen) continue; // released meanwhile: try again
    last = seen;
    const verdict = await judge(seen.holder, me);
    if (verdict === 'live') throw new FileLockedError(path, seen.holder);
    if (verdict === 'unreadable' && Date.now() - seen.mtimeMs < WRITING_GRACE_MS) {
      await new Promise((r) => setTimeout(r, 20)); // its creator may be writing it right now
      continue;
    }
    stale = { holder: seen.holder, reason: verdict };
    if (!(await removeStale(path, seen, me, text))) await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
  }
  throw new FileLockedError(path, last?.holder ?? null);
}

function held(path: string, holder: LockHolder, text: string, ino: number, tookOver: StaleLock | null): FileLock {
  let released: Promise<void> | null = null;
  return {
    path,
    holder,
    tookOver,
    release() {
      return (released ??= unlinkIfSame(path, { ino, text }));
    },
  };
}

/** The holder named in the lock file at `path`, or null when there is none (or it is unreadable). */
export async function readFileLock(path: string): Promise<LockHolder | null> {
  return (await readLock(path))?.holder ?? null;
}
