import { readFile } from 'node:fs/promises';
import { CliError } from './output.js';

/** What a file-system error code means, in words. */
export const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** Reads an input file; a missing file, a directory or no permission is a usage error naming the path. */
export async function readInputFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const reason = FILE_ERRORS[(error as { code?: string }).code ?? ''];
    if (reason) throw new CliError(`cannot read ${path}: ${reason}`, 2);
    throw error;
  }
}
