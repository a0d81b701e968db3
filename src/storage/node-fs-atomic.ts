/// <reference types="node" />
import { open, rename } from 'node:fs/promises';
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
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}
