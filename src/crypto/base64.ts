import type { Bytes } from './bytes.js';

// The runtime's btoa/atob (every browser, Node 16+, Deno, Bun) do the bit work; the strictness is ours.

// Strict decoder: any character outside the alphabet, or an impossible length, is a TypeError
// (atob alone would also take whitespace and padding). Unused low bits are ignored, as atob does.
function decode(text: string, alphabet: RegExp, name: string): Bytes {
  if (text.length % 4 === 1 || !alphabet.test(text)) throw new TypeError(`Invalid ${name} string`);
  const binary = atob(name === 'base64' ? text : text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Standard base64 (with padding) of the bytes. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  return btoa(binary);
}

/** Parses standard base64 (padding optional, whitespace ignored); `TypeError` when invalid. */
export function fromBase64(text: string): Bytes {
  let clean = /\s/.test(text) ? text.replace(/\s+/g, '') : text;
  if (clean.endsWith('==')) clean = clean.slice(0, -2);
  else if (clean.endsWith('=')) clean = clean.slice(0, -1);
  return decode(clean, /^[A-Za-z0-9+/]*$/, 'base64');
}

/** Unpadded base64url (RFC 4648 §5) of the bytes. */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * Whether `text.slice(start, end)` is the one canonical unpadded base64url encoding of some
 * bytes (RFC 4648 §3.5): only alphabet characters, no padding, a possible length, and zero
 * unused low bits in the last character. Any other spelling decodes to the same bytes, so a
 * signed token could be respelled without breaking its signature.
 */
export function isCanonicalBase64Url(text: string, start = 0, end = text.length): boolean {
  const rest = (end - start) % 4; // 2 characters carry 1 byte (4 unused bits), 3 carry 2 bytes (2 unused bits)
  const segment = text.slice(start, end);
  // The last character's value must be a multiple of 16 (A Q g w), or of 4.
  return rest !== 1 && /^[\w-]*$/.test(segment) && (rest === 0 || (rest === 2 ? /[AQgw]$/ : /[AEIMQUYcgkosw048]$/).test(segment));
}

/** Parses base64url without padding; `TypeError` when invalid. */
export function fromBase64Url(text: string): Bytes {
  return decode(text, /^[\w-]*$/, 'base64url');
}
