/// <reference types="node" />
import type { FileHandle } from 'node:fs/promises';
import type { SignedAuditEntry } from '../audit/types.js';
import { HashChainError } from '../errors.js';
import { countLines, lastNewlineBefore, nextNewlineFrom, parseEntryLine, readAt } from './node-fs-lines.js';

/** The first and last complete entries of a JSONL segment, and where its complete lines end. */
export interface SegmentEnds {
  first: SignedAuditEntry | null;
  last: SignedAuditEntry | null;
  /** Bytes up to and including the last newline; anything after it is a torn write. */
  completeBytes: number;
}

/**
 * Reads only the two ends of a segment: the first line and the last complete line, found by
 * scanning back from the end. A last line without its newline is a write cut short by a
 * crash (appends end every record with one), so it is not part of the segment. A complete
 * line that is not an entry is corruption: `HashChainError` (`malformed`) at its index.
 */
export async function readSegmentEnds(fh: FileHandle, size: number): Promise<SegmentEnds> {
  const lastNl = await lastNewlineBefore(fh, size);
  if (lastNl < 0) return { first: null, last: null, completeBytes: 0 };
  const firstNl = await nextNewlineFrom(fh, 0, lastNl + 1);
  const first = parseEntryLine(await readAt(fh, 0, firstNl), 0);
  if (firstNl === lastNl) return { first, last: first, completeBytes: lastNl + 1 };
  const lastStart = (await lastNewlineBefore(fh, lastNl)) + 1;
  let last: SignedAuditEntry;
  try {
    last = parseEntryLine(await readAt(fh, lastStart, lastNl - lastStart), -1);
  } catch (error) {
    if (!(error instanceof HashChainError)) throw error;
    throw new HashChainError(await countLines(fh, lastStart), 'malformed');
  }
  return { first, last, completeBytes: lastNl + 1 };
}
