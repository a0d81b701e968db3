import type { Bytes } from './bytes.js';
import { toHex } from './hex.js';
import { subtle } from './subtle.js';
import { utf8Encode } from './utf8.js';

/** SHA-256 digest of bytes, or of a string's UTF-8 encoding. */
export async function sha256(data: Bytes | string): Promise<Bytes> {
  const bytes = typeof data === 'string' ? utf8Encode(data) : data;
  return new Uint8Array(await subtle().digest('SHA-256', bytes));
}

/** Lowercase hex SHA-256 of bytes, or of a string's UTF-8 encoding. */
export async function sha256Hex(data: Bytes | string): Promise<string> {
  return toHex(await sha256(data));
}
