/// <reference types="node" />
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Flushes a directory, so a file just created or renamed in it survives power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Replaces a small file all at once: write a temporary sibling, flush, rename over the
 * target, flush the directory. A crash leaves either the old or the new content, never half.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, { mode = 0o644 }: { mode?: number } = {}): Promise<void> {
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
}
