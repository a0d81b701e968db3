/// <reference types="node" />
import { readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BundleNotFoundError } from '../errors.js';
import type { BundleKey } from '../bundle/key.js';
import { openBundle, type OpenOptions } from '../bundle/open.js';
import { sealBundle, type SealOptions } from '../bundle/seal.js';
import type { ConsentBundle } from '../bundle/types.js';
import { fsyncDir, writeFileAtomic } from './node-fs-atomic.js';

/** Seals the bundle and replaces the file at `path` atomically, readable by the owner only (0600). */
export async function storeBundle(bundle: ConsentBundle, path: string, key: BundleKey, options: SealOptions = {}): Promise<void> {
  await writeFileAtomic(path, await sealBundle(bundle, key, options), { mode: 0o600 });
}

/** Reads and opens the sealed bundle at `path` (any layout); `BUNDLE_NOT_FOUND` when there is none. */
export async function loadBundle(path: string, key: BundleKey, options: OpenOptions = {}): Promise<ConsentBundle> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BundleNotFoundError(path);
    throw error;
  }
  return openBundle(bytes, key, options);
}

/** Removes the bundle file (revocation clean-up), durably; false when there was none. */
export async function deleteBundle(path: string): Promise<boolean> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  // Flush the directory, so a revoked bundle does not come back after a power cut.
  await fsyncDir(dirname(path));
  return true;
}
