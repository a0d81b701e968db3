/// <reference types="node" />
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Mode of every file the file stores create: the trail's metadata and the bundle are the owner's alone. */
export const FILE_MODE = 0o600;

/** Flushes a directory, so a file just created or renamed in it survives power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A temporary sibling this long untouched belongs to a writer that died (SIGKILL, power loss). */
const ORPHAN_AGE_MS = 10 * 60_000;
const swept = new Set<string>();

/** Once per path and process: removes `<name>.<hex>.tmp` siblings left by a writer that died mid-write. */
async function sweepOrphans(path: string): Promise<void> {
  if (swept.has(path)) return;
  swept.add(path);
  const dir = dirname(path);
  const pattern = new RegExp(`^${basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[0-9a-f]{12}\\.tmp$`);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => pattern.test(n))) {
    const file = join(dir, name);
    const info = await stat(file).catch(() => null);
    if (info && Date.now() - info.mtimeMs > ORPHAN_AGE_MS) await unlink(file).catch(() => {});
  }
}

/**
 * Replaces a small file all at once: write a temporary sibling, flush, rename over the
 * target, flush the directory. A crash leaves either the old or the new content, never half.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, { mode = FILE_MODE }: { mode?: number } = {}): Promise<void> {
  // A unique temporary name, so two writers never share one half-written file.
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
  await fsyncDir(dirname(path));
  await sweepOrphans(path);
}
