import { readFile, stat } from 'node:fs/promises';
import { CliError } from './output.js';
import { holdSecret } from './secrets.js';

/** The environment variable the CLI reads the developer's API key from. */
export const API_KEY_ENV = 'OFFLINE_CONSENT_API_KEY';

/** The API key from `file` (refused when group or others may read it) or the environment; never a plain flag. */
export async function readApiKey(file?: string): Promise<string> {
  if (file !== undefined) {
    const { mode } = await stat(file);
    if (mode & 0o077) throw new CliError(`${file} is readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`, 2);
    const key = (await readFile(file, 'utf8')).trim();
    if (!key) throw new CliError(`${file} is empty`, 2);
    return holdSecret(key);
  }
  const key = process.env[API_KEY_ENV];
  if (!key) throw new CliError(`no API key: set ${API_KEY_ENV} or pass --api-key-file FILE`, 2);
  return holdSecret(key);
}
