// `offline-consent audit export --bundle ID`: a bundle's synced trail as the authority holds it,
// in the library's JSON Lines format, with its audit key spans beside it (FILE.keys.json), so
// `audit verify FILE --keys FILE.keys.json` checks it offline.
import { open } from 'node:fs/promises';
import type { Command } from 'commander';
import { adminClient, type AdminOptions } from '../admin/client.js';
import { withAdminOptions } from '../admin/options.js';
import { CliError, report } from '../output.js';
import { createProgress } from '../progress.js';

/** Registers `audit export`. */
export function registerAuditExport(audit: Command): void {
  withAdminOptions(audit.command('export').description('write a bundle\'s synced trail as JSONL, plus its key spans for `audit verify --keys`'))
    .requiredOption('--bundle <bundleId>', 'the bundle id (cb_…)')
    .requiredOption('--out <file>', 'the JSONL file to write (its key spans go to <file>.keys.json)')
    .action(async (opts: AdminOptions & { bundle: string; out: string }) => {
      const client = await adminClient(opts);
      const path = `/v1/consent-bundles/${encodeURIComponent(opts.bundle)}`;
      const record = await client.get(path);
      const total = Number(record.syncedSeq ?? 0);
      const bar = createProgress('exporting', total, !opts.json);
      const out = await open(opts.out, 'wx').catch((error: NodeJS.ErrnoException) => {
        throw new CliError(error.code === 'EEXIST' ? `${opts.out} exists; choose another --out` : `cannot write ${opts.out}: ${error.message}`, 2);
      });
      let count = 0;
      try {
        for (let cursor: string | null = '0'; cursor !== null; ) {
          const page = await client.get(`${path}/audit?cursor=${cursor}&limit=1000`);
          const entries = (page.entries as Array<Record<string, unknown>>).map(({ id: _id, syncedAt: _at, flags: _flags, ...entry }) => entry);
          if (entries.length) await out.write(`${entries.map((e) => JSON.stringify(e)).join('\n')}\n`);
          count += entries.length;
          bar.update(count);
          cursor = typeof page.nextCursor === 'string' ? page.nextCursor : null;
        }
      } finally {
        bar.stop();
        await out.close();
      }
      const keysFile = `${opts.out}.keys.json`;
      const keys = await open(keysFile, 'w');
      await keys.writeFile(`${JSON.stringify(record.auditKeySpans ?? [], null, 2)}\n`);
      await keys.close();
      report(!!opts.json, { bundleId: opts.bundle, entries: count, file: opts.out, keys: keysFile }, () => `wrote ${count} entries to ${opts.out} and the key spans to ${keysFile}; check them offline with: offline-consent audit verify ${opts.out} --keys ${keysFile}`);
    });
}
