import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** Streams a JSON Lines file as parsed values (blank lines skipped), with byte progress. */
export async function* readJsonLines(path: string, onBytes?: (read: number, total: number) => void): AsyncGenerator<unknown> {
  const { size } = await stat(path);
  const stream = createReadStream(path, { encoding: 'utf8' });
  let read = 0;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) {
    read += Buffer.byteLength(line) + 1;
    onBytes?.(Math.min(read, size), size);
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line);
    } catch {
      yield { unparsable: line.slice(0, 80) }; // Reported by the chain check as a broken entry.
    }
  }
}
