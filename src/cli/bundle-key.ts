import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { CliError } from './output.js';

/** The default environment variable holding a bundle's passphrase or 64-hex key. */
export const BUNDLE_KEY_ENV = 'OFFLINE_CONSENT_BUNDLE_KEY';
/** The systemd credential name (`LoadCredential=offline-consent-bundle-key:…`). */
export const BUNDLE_KEY_CREDENTIAL = 'offline-consent-bundle-key';

/** Reads a passphrase from the terminal without echoing it. */
async function prompt(question: string): Promise<string> {
  process.stderr.write(question);
  const silent = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: process.stdin, output: silent, terminal: true });
  try {
    return (await rl.question('')).trim();
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/**
 * The key a sealed bundle is opened or sealed with: the environment variable `envName`, else
 * the systemd credential `$CREDENTIALS_DIRECTORY/offline-consent-bundle-key`, else a prompt
 * when stdin is a terminal. Never a file beside the bundle.
 */
export async function readBundleKey(envName = BUNDLE_KEY_ENV): Promise<string> {
  const fromEnv = process.env[envName];
  if (fromEnv) return fromEnv;
  const dir = process.env.CREDENTIALS_DIRECTORY;
  if (dir) {
    const text = (await readFile(join(dir, BUNDLE_KEY_CREDENTIAL), 'utf8').catch(() => '')).trim();
    if (text) return text;
  }
  if (process.stdin.isTTY) {
    const key = await prompt('Bundle passphrase: ');
    if (key) return key;
  }
  throw new CliError(`no bundle key: set ${envName}, a systemd credential ${BUNDLE_KEY_CREDENTIAL}, or run on a terminal to be asked`, 2);
}
