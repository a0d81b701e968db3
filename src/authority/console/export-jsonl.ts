import type { Queryable } from '../db/types.js';
import { entryJson } from '../records.js';
import { trailBatches } from './queries/trail.js';

/** One exported line: the entry as `GET …/audit` returns it, without the authority's own `id`, `syncedAt` and `flags`. */
export function exportLine(row: Parameters<typeof entryJson>[0]): string {
  const { id: _id, syncedAt: _syncedAt, flags: _flags, ...entry } = entryJson(row);
  return `${JSON.stringify(entry)}\n`;
}

/**
 * The bundle's whole trail as JSON Lines, streamed a batch at a time as the reader pulls: the
 * library's log format (as `offline-consent audit export` writes it), so `audit verify` checks it.
 */
export function trailJsonl(db: Queryable, bundleId: string): ReadableStream<Uint8Array> {
  const batches = trailBatches(db, bundleId);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await batches.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(next.value.map(exportLine).join('')));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
