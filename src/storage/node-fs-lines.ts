/// <reference types="node" />
import type { FileHandle } from 'node:fs/promises';
import { HashChainError } from '../errors.js';
import type { SignedAuditEntry } from '../audit/types.js';

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/** Parses one JSONL record; `HashChainError` (`malformed`) at `index` when it is not an entry. */
export function parseEntryLine(line: Buffer, index: number): SignedAuditEntry {
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch {
    throw new HashChainError(index, 'malformed');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof (value as { seq?: unknown }).seq !== 'number') {
    throw new HashChainError(index, 'malformed');
  }
  return value as SignedAuditEntry;
}

/** Reads exactly `length` bytes at `position` (fewer only at end of file). */
export async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** Offset of the last newline before `end`, scanning backwards chunk by chunk; -1 if none. */
export async function lastNewlineBefore(fh: FileHandle, end: number): Promise<number> {
  for (let stop = end; stop > 0; stop -= CHUNK) {
    const start = Math.max(0, stop - CHUNK);
    const i = (await readAt(fh, start, stop - start)).lastIndexOf(NEWLINE);
    if (i >= 0) return start + i;
  }
  return -1;
}

/** Offset of the first newline at or after `from` and before `end`; -1 if none. */
export async function nextNewlineFrom(fh: FileHandle, from: number, end: number): Promise<number> {
  for (let start = from; start < end; start += CHUNK) {
    const i = (await readAt(fh, start, Math.min(CHUNK, end - start))).indexOf(NEWLINE);
    if (i >= 0) return start + i;
  }
  return -1;
}

/** Number of newlines before `end` (error paths only: it reads the whole range). */
export async function countLines(fh: FileHandle, end: number): Promise<number> {
  let n = 0;
  for (let start = 0; start < end; start += CHUNK) {
    const buf = await readAt(fh, start, Math.min(CHUNK, end - start));
    for (let i = buf.indexOf(NEWLINE); i >= 0; i = buf.indexOf(NEWLINE, i + 1)) n++;
  }
  return n;
}

/**
 * Yields the entries of complete lines in [start, end), in order; `index` is the segment
 * index of the line at `start`, used to report where a malformed line sits.
 */
export async function* readEntryLines(fh: FileHandle, start: number, end: number, index: number): AsyncGenerator<SignedAuditEntry> {
  let carry: Buffer | null = null;
  for (let pos = start; pos < end; ) {
    const chunk = await readAt(fh, pos, Math.min(CHUNK, end - pos));
    if (chunk.length === 0) break;
    pos += chunk.length;
    let lineStart = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, lineStart)) {
      const piece = chunk.subarray(lineStart, nl);
      const line: Buffer = carry ? Buffer.concat([carry, piece]) : piece;
      carry = null;
      yield parseEntryLine(line, index++);
      lineStart = nl + 1;
    }
    if (lineStart < chunk.length) {
      const rest = chunk.subarray(lineStart);
      carry = carry ? Buffer.concat([carry, rest]) : rest; // each chunk is a fresh buffer, safe to keep
    }
  }
}
