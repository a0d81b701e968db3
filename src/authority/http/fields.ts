import { badRequest } from '../api-error.js';

/** A JSON object from a request, fields not yet checked. Unknown fields are tolerated and ignored. */
export type Fields = Record<string, unknown>;

/** A string PostgreSQL can store (no NUL) within `max` characters; non-empty unless `min` is 0. */
export function isCleanString(value: unknown, max: number, min = 1): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max && !value.includes('\u0000');
}

export function asFields(value: unknown, what = 'Request body'): Fields {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${what} must be a JSON object`);
  return value as Fields;
}

/** A required string field. */
export function requiredString(body: Fields, key: string, max = 256): string {
  const value = body[key];
  if (!isCleanString(value, max)) throw badRequest(`${key} must be a non-empty string of at most ${max} characters`);
  return value;
}

/** An optional string field: absent or null → undefined. */
export function optionalString(body: Fields, key: string, max = 256, min = 1): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!isCleanString(value, max, min)) throw badRequest(`${key} must be a string of at most ${max} characters`);
  return value;
}

/** An optional boolean field. */
export function optionalBoolean(body: Fields, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`${key} must be a boolean`);
  return value;
}

/** A required, non-empty array of distinct scope strings (duplicates are dropped, order kept). */
export function scopeList(body: Fields, key = 'scopes', maxItems = 100): string[] {
  const value = body[key];
  if (!Array.isArray(value) || value.length === 0 || value.length > maxItems || !value.every((s) => isCleanString(s, 128))) {
    throw badRequest(`${key} must be a non-empty array of at most ${maxItems} scope strings`);
  }
  if (value.some((s: string) => s.includes(','))) throw badRequest(`${key} must not contain commas (the audit hash joins scopes with ",")`);
  return [...new Set(value as string[])];
}
