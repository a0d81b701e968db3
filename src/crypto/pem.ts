import { fromBase64, toBase64 } from './base64.js';
import type { Bytes } from './bytes.js';

/** PEM labels this library reads and writes. */
export type PemLabel = 'PUBLIC KEY' | 'PRIVATE KEY';

/** DER bytes of a PEM block with the given label; `TypeError` when the label or body is wrong. */
export function pemToDer(pem: string, label: PemLabel): Bytes {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!match || match[1] !== label) {
    throw new TypeError(`Expected a PEM block labelled "${label}"`);
  }
  const der = fromBase64(match[2]!);
  if (der.length === 0) throw new TypeError(`Empty PEM block "${label}"`);
  return der;
}

/** PEM text (64-character lines, trailing newline) of DER bytes. */
export function derToPem(der: Uint8Array, label: PemLabel): string {
  const body = toBase64(der).replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}
