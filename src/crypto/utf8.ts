import type { Bytes } from './bytes.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of a string. */
export function utf8Encode(text: string): Bytes {
  return encoder.encode(text) as Bytes;
}

/** Decodes UTF-8, throwing `TypeError` on invalid sequences instead of inserting U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** The JSON value of `text`, or null when it is not JSON (empty text included). */
export function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Whether the value is a JSON object: not null, not an array. */
export const isJsonObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The JSON object in a JOSE segment's bytes, read as jose reads one: strict UTF-8 with one leading
 * BOM dropped; `TypeError`/`SyntaxError` when it is not valid JSON or not an object.
 */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  const value: unknown = JSON.parse(utf8Decode(bytes).replace(/^\uFEFF/, ''));
  if (!isJsonObject(value)) throw new TypeError('Not a JSON object');
  return value;
}
