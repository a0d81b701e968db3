import { isCryptoKey } from '../crypto/subtle.js';
import { isJsonObject as isObject } from '../crypto/utf8.js';
import { InvalidBundleError } from '../errors.js';
import type { ConsentBundle } from './types.js';

type Obj = Record<string, unknown>;

function str(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) throw new InvalidBundleError(`${path}${key}`, 'must be a non-empty string');
  return v;
}

function date(o: Obj, key: string, path: string): void {
  if (!Number.isFinite(Date.parse(str(o, key, path)))) throw new InvalidBundleError(`${path}${key}`, 'must be an ISO-8601 date');
}

/** Checks the shape of a bundle and returns it typed; `InvalidBundleError` names the first bad field. */
export function validateBundle(value: unknown): ConsentBundle {
  if (!isObject(value)) throw new InvalidBundleError('(bundle)', 'must be a JSON object');
  str(value, 'bundleId', '');
  if (str(value, 'grantToken', '').split('.').length !== 3) throw new InvalidBundleError('grantToken', 'must be a compact JWS');
  const snapshot = value.jwksSnapshot;
  if (!isObject(snapshot)) throw new InvalidBundleError('jwksSnapshot', 'must be an object');
  if (!Array.isArray(snapshot.keys) || snapshot.keys.length === 0) throw new InvalidBundleError('jwksSnapshot.keys', 'must be a non-empty array');
  snapshot.keys.forEach((k, i) => {
    if (!isObject(k)) throw new InvalidBundleError(`jwksSnapshot.keys[${i}]`, 'must be a JWK object');
    str(k, 'kid', `jwksSnapshot.keys[${i}].`);
    str(k, 'kty', `jwksSnapshot.keys[${i}].`);
  });
  date(snapshot, 'fetchedAt', 'jwksSnapshot.');
  date(snapshot, 'validUntil', 'jwksSnapshot.');
  const key = value.offlineAuditKey;
  if (!isObject(key)) throw new InvalidBundleError('offlineAuditKey', 'must be an object');
  if (!/-----BEGIN PUBLIC KEY-----/.test(str(key, 'publicKey', 'offlineAuditKey.'))) throw new InvalidBundleError('offlineAuditKey.publicKey', 'must be an SPKI PEM');
  if (!isCryptoKey(key.privateKey) && !/-----BEGIN PRIVATE KEY-----/.test(str(key, 'privateKey', 'offlineAuditKey.'))) {
    throw new InvalidBundleError('offlineAuditKey.privateKey', 'must be a PKCS#8 PEM or a CryptoKey');
  }
  if (str(key, 'algorithm', 'offlineAuditKey.').toLowerCase() !== 'ed25519') throw new InvalidBundleError('offlineAuditKey.algorithm', 'must be Ed25519');
  if (typeof value.checkpointAt !== 'number' || !Number.isFinite(value.checkpointAt)) throw new InvalidBundleError('checkpointAt', 'must be Unix milliseconds');
  const endpoint = str(value, 'syncEndpoint', '');
  if (!URL.canParse(endpoint)) throw new InvalidBundleError('syncEndpoint', 'must be a URL');
  date(value, 'offlineExpiresAt', '');
  if (value.auditKeySpans !== undefined && !Array.isArray(value.auditKeySpans)) throw new InvalidBundleError('auditKeySpans', 'must be an array');
  if (value.hwmRequired !== undefined && typeof value.hwmRequired !== 'boolean') throw new InvalidBundleError('hwmRequired', 'must be a boolean');
  return value as unknown as ConsentBundle;
}
