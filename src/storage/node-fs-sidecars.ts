/// <reference types="node" />
// The file store's small pieces: errno checks, side records (.head, .meta, .synced), positioned writes.
import { constants } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import type { AuditHead, AuditRecovery } from '../audit/audit-store.js';
import { AuditLogError, OfflineConsentError } from '../errors.js';
import { writeFileAtomic } from './node-fs-atomic.js';
import { describeHolder, type StaleLock } from './node-fs-lock.js';

/** A filesystem error (with an errno code), not one of ours. */
export function isErrno(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && !(error instanceof OfflineConsentError);
}

/** A side record replaced atomically; a filesystem refusal (ENOSPC, EROFS …) is a typed write failure. */
export async function writeSide(file: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(file, text);
  } catch (error) {
    throw isErrno(error) ? new AuditLogError(`Could not write ${file} (${error.code}); it keeps its previous value`, 'AUDIT_WRITE_FAILED', { cause: error }) : error;
  }
}

export async function writeAt(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

export async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export function parseHead(text: string | null, path: string): AuditHead | null {
  if (text === null) return null;
  try {
    const h = JSON.parse(text) as AuditHead;
    if (Number.isSafeInteger(h.seq) && h.seq > 0 && typeof h.hash === 'string' && typeof h.timestamp === 'string') return h;
  } catch {
    // reported below
  }
  throw new AuditLogError(`${path} is not a valid head record`, 'AUDIT_STORE_CORRUPT');
}

export function parseMeta(text: string | null, path: string): Record<string, unknown> {
  if (text === null) return {};
  try {
    const m = JSON.parse(text) as unknown;
    if (m !== null && typeof m === 'object' && !Array.isArray(m)) return m as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new AuditLogError(`${path} is not a valid meta record`, 'AUDIT_STORE_CORRUPT');
}

/**
 * Upstream writes the marker non-atomically and starts from -1; read it leniently. A value
 * past the head or unreadable is never trusted: it resets to just before the live segment
 * (rotated segments were synced), so those entries are uploaded again (idempotent upstream).
 */
export function readSyncedMarker(text: string | null, headSeq: number, beforeLive: number, recovered: AuditRecovery[]): number {
  if (text === null) return 0;
  const trimmed = text.trim();
  const value = /^-?\d+$/.test(trimmed) ? Math.max(0, Number(trimmed)) : NaN;
  if (Number.isSafeInteger(value) && value <= headSeq) return value;
  recovered.push({
    kind: 'synced-marker',
    droppedBytes: 0,
    message: `Synced marker ${JSON.stringify(trimmed.slice(0, 40))} is ${Number.isSafeInteger(value) ? `past the head (seq ${headSeq})` : 'unreadable'}; using ${beforeLive}: entries after it count as unsynced`,
  });
  return beforeLive;
}

export function staleLockRecovery({ holder, reason }: StaleLock): AuditRecovery {
  const why = { dead: 'is no longer running', rebooted: 'ran before a reboot', 'pid-reused': 'is gone (its pid now belongs to another process)', unreadable: 'left an unreadable lock file' }[reason];
  return { kind: 'stale-lock', droppedBytes: 0, message: `Took over the write lock: its holder ${holder ? describeHolder(holder) : ''} ${why}`.replace('  ', ' ') };
}

/** A read handle on `path`, or null when there is no such file yet. */
export async function openIfExists(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, constants.O_RDONLY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
