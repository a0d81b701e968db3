// Everything the file stores create is the owner's alone (0600): the trail's entries and
// metadata can carry what tools saw, and a Pi is often shared. Found by the examples' review;
// before, the log, its .meta and .synced files were created 0644.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createOfflineAuditLog, storeBundle } from '../../src/node.js';
import { testBundle } from '../helpers/bundle.js';
import { NOW } from '../helpers/tokens.js';
import { sampleEntry } from '../helpers/chain.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('the log, its side files and the sealed bundle are created without group or other permissions', async () => {
  dir = mkdtempSync(join(tmpdir(), 'oc-modes-'));
  const bundle = await testBundle();
  const log = createOfflineAuditLog({ bundle, logPath: join(dir, 'audit.jsonl'), now: () => NOW });
  await log.append(sampleEntry(1));
  await log.setMeta('note', { x: 1 });
  await log.markSynced(1);
  await log.close();
  await storeBundle(bundle, join(dir, 'bundle.bin'), 'correct horse battery staple', { iterations: 100_000 });
  const files = readdirSync(dir).filter((f) => !f.endsWith('.lock'));
  expect(files.sort()).toEqual(['audit.jsonl', 'audit.jsonl.hwm', 'audit.jsonl.meta', 'audit.jsonl.synced', 'bundle.bin']);
  const open = files.filter((f) => (statSync(join(dir, f)).mode & 0o077) !== 0);
  expect(open).toEqual([]);
});
