import type { Bytes } from './bytes.js';

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function lookup(alphabet: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}
const STANDARD_LOOKUP = lookup(STANDARD);
const URL_LOOKUP = lookup(URL_SAFE);

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]!;
    out += rest === 2 ? alphabet[(n >> 6) & 63]! : '';
    if (pad) out += rest === 2 ? '=' : '==';
  }
  return out;
}

// Strict table decoder: any character outside the alphabet, or an impossible length, is a TypeError.
function decode(text: string, table: Int8Array, name: string): Bytes {
  const length = text.length;
  if (length % 4 === 1) throw new TypeError(`Invalid ${name} string`);
  const out = new Uint8Array(Math.floor((length * 3) / 4));
  let o = 0;
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? table[code]! : -1;
    if (value < 0) throw new TypeError(`Invalid ${name} string`);
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}

/** Standard base64 (with padding) of the bytes. */
export function toBase64(bytes: Uint8Array): string {
  return encode(bytes, STANDARD, true);
}

/** Parses standard base64 (padding optional, whitespace ignored); `TypeError` when invalid. */
export function fromBase64(text: string): Bytes {
  let clean = /\s/.test(text) ? text.replace(/\s+/g, '') : text;
  if (clean.endsWith('==')) clean = clean.slice(0, -2);
  else if (clean.endsWith('=')) clean = clean.slice(0, -1);
  return decode(clean, STANDARD_LOOKUP, 'base64');
}

/** Unpadded base64url (RFC 4648 §5) of the bytes. */
export function toBase64Url(bytes: Uint8Array): string {
  return encode(bytes, URL_SAFE, false);
}

/** Parses base64url without padding; `TypeError` when invalid. */
export function fromBase64Url(text: string): Bytes {
  return decode(text, URL_LOOKUP, 'base64url');
}
