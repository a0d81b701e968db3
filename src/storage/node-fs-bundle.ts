/// <reference types="node" />
import { readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BundleNotFoundError, BundleWriteError } from '../errors.js';
import type { BundleKey } from '../bundle/key.js';
import { openBundle, type OpenOptions } from '../bundle/open.js';
import { sealBundle, type SealOptions } from '../bundle/seal.js';
import type { ConsentBundle } from '../bundle/types.js';
import { fsyncDir, writeFileAtomic } from './node-fs-atomic.js';

/** Seals the bundle and replaces the file at `path` atomically, readable by the owner only (0600). */
export async function storeBundle(bundle: ConsentBundle, path: string, key: BundleKey, options: SealOptions = {}): Promise<void> {
  const sealed = await sealBundle(bundle, key, options);
  try {
    await writeFileAtomic(path, sealed);
  } catch (error) {
    throw writeFailed('store', path, error);
  }
}

/** A filesystem refusal (ENOSPC, EROFS, EPERM …) as a typed error; the file as it was stays. */
function writeFailed(what: 'store' | 'delete', path: string, cause: unknown): BundleWriteError {
  const code = (cause as NodeJS.ErrnoException).code ?? 'unknown error';
  return new BundleWriteError(`Could not ${what} the bundle at ${path} (${code}); the file was left as it was`, { cause });
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
    throw writeFailed('delete', path, error);
  }
  // Flush the directory, so a revoked bundle does not come back after a power cut.
  await fsyncDir(dirname(path));
  return true;
}
