/// <reference types="node" />
import type { FileHandle } from 'node:fs/promises';
import { nextNewlineFrom, parseEntryLine, readAt } from './node-fs-lines.js';

const LINEAR_BELOW = 64 * 1024;

/** The line starting at or after `pos` (a line start is offset 0 or just after a newline), or null. */
async function lineFrom(fh: FileHandle, pos: number, end: number): Promise<{ start: number; seq: number } | null> {
  const start = pos === 0 ? 0 : (await nextNewlineFrom(fh, pos - 1, end)) + 1;
  if ((pos > 0 && start === 0) || start >= end) return null;
  const nl = await nextNewlineFrom(fh, start, end);
  if (nl < 0) return null;
  try {
    return { start, seq: parseEntryLine(await readAt(fh, start, nl - start), 0).seq };
  } catch {
    return null; // a malformed line stops the search; the linear read from there reports it
  }
}

/**
 * Byte offset of a line at or before the entry with `fromSeq`, found by bisecting on the
 * seqs of the lines (they rise by one), so reading the unsynced tail of a 50 MB segment
 * reads a few kilobytes, not the segment. Also returns that line's seq.
 */
export async function seekSeq(fh: FileHandle, end: number, firstSeq: number, fromSeq: number): Promise<{ offset: number; seq: number }> {
  let lo = { offset: 0, seq: firstSeq };
  let hi = end;
  while (hi - lo.offset > LINEAR_BELOW) {
    const line = await lineFrom(fh, Math.floor((lo.offset + hi) / 2), hi);
    if (!line) break;
    if (line.seq < fromSeq) lo = { offset: line.start, seq: line.seq };
    else hi = line.start;
  }
  return lo;
}
