import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** Where the complete lines of the first `size` bytes end: after the last newline (0: none). */
async function completeBytes(fh: FileHandle, size: number): Promise<number> {
  const buf = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - buf.length);
    const { bytesRead } = await fh.read(buf, 0, end - start, start);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (nl >= 0) return start + nl + 1;
    end = start;
  }
  return 0;
}

/**
 * Streams a JSON Lines file as parsed values (blank lines skipped), with byte progress. Reads
 * no lock: the complete lines as the file stands when it starts, so a writer appending
 * meanwhile changes nothing; an unterminated last line (a write in flight, or cut by a crash,
 * which the writer cuts off on open) is left out and its size given to `onTail`.
 */
export async function* readJsonLines(path: string, onBytes?: (read: number, total: number) => void, onTail?: (bytes: number) => void): AsyncGenerator<unknown> {
  const fh = await open(path, 'r'); // one handle: a rotation (rename) meanwhile does not switch files
  let end: number;
  try {
    const { size } = await fh.stat();
    end = await completeBytes(fh, size);
    if (end < size) onTail?.(size - end);
  } catch (error) {
    await fh.close();
    throw error;
  }
  if (end === 0) return void (await fh.close());
  const stream = fh.createReadStream({ encoding: 'utf8', start: 0, end: end - 1, autoClose: true });
  let read = 0;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) {
    read += Buffer.byteLength(line) + 1;
    onBytes?.(Math.min(read, end), end);
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line);
    } catch {
      yield { unparsable: line.slice(0, 80) }; // Reported by the chain check as a broken entry.
    }
  }
}
