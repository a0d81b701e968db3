import { randomBytes, sha256Hex, toBase64Url } from '../../crypto/index.js';

/** `oce_` and 32 base64url characters: 24 random bytes, 192 bits (PROTOCOL.md §7.1). */
export function generateEnrollmentCode(): string {
  return `oce_${toBase64Url(randomBytes(24))}`;
}

/** What the database keeps instead of the code: codes are high-entropy, so a plain SHA-256 suffices. */
export function hashEnrollmentCode(code: string): Promise<string> {
  return sha256Hex(code);
}

/** Whether a string has the shape of a code this authority issues (checked before any lookup). */
export function isEnrollmentCode(value: unknown): value is string {
  return typeof value === 'string' && /^oce_[A-Za-z0-9_-]{32}$/.test(value);
}
