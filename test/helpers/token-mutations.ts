// fast-check generators of hostile grant tokens, derived from a real signed one, and an
// oracle for "the same token": same three segments, byte for byte, after base64url decoding.
import fc from 'fast-check';

/** Characters that break base64url or the compact form in interesting ways. */
const ODD_CHARS = ['+', '/', '=', '.', ' ', '\n', '\t', '\u0000', '%', 'é', '€', '\ud800', '\u{1F600}', '\u2028'];
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** UTF-8 text → unpadded base64url, written here independently of src/crypto. */
export function b64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decoded bytes of a strict base64url segment (as a binary string), or null when it is not one. */
function decodeSegment(segment: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(segment) || segment.length % 4 === 1) return null;
  try {
    return atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return null;
  }
}

/** True when `candidate` carries exactly the header, payload and signature bytes of `original`. */
export function sameTokenBytes(candidate: unknown, original: string): boolean {
  if (typeof candidate !== 'string') return false;
  const a = candidate.split('.');
  const b = original.split('.');
  if (a.length !== 3) return false;
  return a.every((seg, i) => {
    const decoded = decodeSegment(seg);
    return decoded !== null && decoded === decodeSegment(b[i]!);
  });
}

type Edit = { kind: 'replace' | 'insert' | 'delete'; at: number; text: string };

const editArb: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('replace', 'insert', 'delete'),
  at: fc.nat(),
  text: fc.oneof(fc.constantFrom(...ODD_CHARS), fc.constantFrom(...B64URL.split('')), fc.string({ maxLength: 4 })),
}) as fc.Arbitrary<Edit>;

function applyEdit(s: string, e: Edit): string {
  const at = s.length === 0 ? 0 : e.at % (s.length + (e.kind === 'insert' ? 1 : 0));
  if (e.kind === 'insert') return s.slice(0, at) + e.text + s.slice(at);
  if (e.kind === 'delete') return s.slice(0, at) + s.slice(at + 1 + (e.text.length % 3));
  return s.slice(0, at) + e.text + s.slice(at + 1);
}

/** 1–4 character edits inside one segment (0 header, 1 payload, 2 signature) or anywhere. */
export function editedToken(token: string): fc.Arbitrary<string> {
  return fc.record({ segment: fc.constantFrom(0, 1, 2, 'any' as const), edits: fc.array(editArb, { minLength: 1, maxLength: 4 }) }).map(({ segment, edits }) => {
    if (segment === 'any') return edits.reduce(applyEdit, token);
    const parts = token.split('.');
    parts[segment] = edits.reduce(applyEdit, parts[segment]!);
    return parts.join('.');
  });
}

/** The token's segments (and random base64url chunks) rejoined with 0–6 dots, or cut/extended. */
export function reshapedToken(token: string): fc.Arbitrary<string> {
  const [h, p, s] = token.split('.') as [string, string, string];
  const chunk = fc.oneof(fc.constantFrom(h, p, s, ''), fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/));
  return fc.oneof(
    fc.array(chunk, { minLength: 0, maxLength: 7 }).map((parts) => parts.join('.')),
    fc.nat({ max: token.length }).map((n) => token.slice(0, n)),
    fc.stringMatching(/^[A-Za-z0-9_.=-]{1,64}$/).map((tail) => token + tail),
  );
}

/** A JSON header as a token would carry it: alg, kid, typ, crit, b64 and extra fields in any mix. */
export function headerArb(kid: string): fc.Arbitrary<Record<string, unknown>> {
  const odd = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }));
  return fc
    .record(
      {
        alg: fc.oneof(fc.constantFrom('RS256', 'none', 'HS256', 'RS384', 'RS512', 'PS256', 'ES256', 'EdDSA', 'rs256', 'RS256 ', ''), odd),
        kid: fc.oneof(fc.constant(kid), fc.constantFrom('', 'other', `${kid} `), odd),
        typ: fc.constantFrom('JWT', 'at+jwt', 'JOSE'),
        crit: fc.oneof(fc.constantFrom(['exp'], ['b64'], [], ['kid']), odd),
        b64: fc.boolean(),
        extra: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
      },
      { requiredKeys: [] },
    )
    .map(({ extra, ...known }) => ({ ...extra, ...known }));
}

const SIGN_PARAMS: Record<string, { import: RsaHashedImportParams | HmacImportParams; sign: AlgorithmIdentifier | RsaPssParams }> = {
  RS256: { import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, sign: 'RSASSA-PKCS1-v1_5' },
  RS384: { import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' }, sign: 'RSASSA-PKCS1-v1_5' },
  RS512: { import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' }, sign: 'RSASSA-PKCS1-v1_5' },
  PS256: { import: { name: 'RSA-PSS', hash: 'SHA-256' }, sign: { name: 'RSA-PSS', saltLength: 32 } },
  HS256: { import: { name: 'HMAC', hash: 'SHA-256' }, sign: 'HMAC' },
};

const signingKeys = new Map<string, Promise<CryptoKey>>(); // one key per alg; tests sign with one issuer key

/**
 * Signs any header and payload text straight through Web Crypto (jose refuses some headers,
 * e.g. an unknown `crit`): RSA algs with the issuer's private JWK, HS256 with `hmacSecret`.
 */
export async function signRaw(alg: keyof typeof SIGN_PARAMS, header: Record<string, unknown>, payloadText: string, privateJwk: JsonWebKey, hmacSecret: Uint8Array): Promise<string> {
  const p = SIGN_PARAMS[alg]!;
  let key = signingKeys.get(alg);
  if (!key) {
    key =
      alg === 'HS256'
        ? crypto.subtle.importKey('raw', hmacSecret as BufferSource, p.import, false, ['sign'])
        : crypto.subtle.importKey('jwk', { ...privateJwk, alg: undefined, key_ops: undefined }, p.import, false, ['sign']);
    signingKeys.set(alg, key);
  }
  const input = `${b64url(JSON.stringify({ alg, ...header }))}.${b64url(payloadText)}`;
  const sig = new Uint8Array(await crypto.subtle.sign(p.sign, await key, new TextEncoder().encode(input)));
  let binary = '';
  for (const b of sig) binary += String.fromCharCode(b);
  return `${input}.${btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/** One way to respell a token without changing what it decodes to, or to soil it with a foreign character. */
export type NonCanonicalKind = 'unused-bits' | 'padding' | 'standard-alphabet' | 'foreign';

/** Characters a base64url segment never holds; each must make the token MALFORMED_TOKEN wherever it sits. */
const FOREIGN_CHARS = ['=', '+', '/', ' ', '\n', '\r', '\t', '%', '~', '*', ',', '!', '\u0000', 'é', '\u00a0', '\ufeff'];

/**
 * Non-canonical encodings of a valid token: a segment whose last character has unused low bits
 * set (the same bytes to a lenient decoder), '=' padding, '+'/'/' for '-'/'_', or a foreign
 * character inserted anywhere in the header, payload or signature. Never the token itself.
 */
export function nonCanonicalToken(token: string): fc.Arbitrary<{ kind: NonCanonicalKind; segment: number; token: string }> {
  const parts = token.split('.') as [string, string, string];
  const withSpareBits = [0, 1, 2].filter((i) => parts[i]!.length % 4 >= 2); // the RS256 signature always: 342 characters
  const rejoin = (segment: number, text: string) => parts.map((p, i) => (i === segment ? text : p)).join('.');
  const bits = fc.record({ segment: fc.constantFrom(...withSpareBits), mask: fc.integer({ min: 1, max: 15 }) }).map(({ segment, mask }) => {
    const seg = parts[segment]!;
    const spare = seg.length % 4 === 2 ? 0x0f : 0x03;
    const last = B64URL.indexOf(seg[seg.length - 1]!);
    const flipped = B64URL[(last & ~spare) | (mask & spare || 1)]!;
    return { kind: 'unused-bits' as const, segment, token: rejoin(segment, seg.slice(0, -1) + flipped) };
  });
  const padding = fc.record({ segment: fc.constantFrom(0, 1, 2), pad: fc.constantFrom('=', '==', '===') }).map(({ segment, pad }) => ({
    kind: 'padding' as const,
    segment,
    token: rejoin(segment, parts[segment]! + pad),
  }));
  const withUrlChars = [0, 1, 2].filter((i) => /[-_]/.test(parts[i]!));
  const standard = withUrlChars.length === 0
    ? padding
    : fc.constantFrom(...withUrlChars).map((segment) => ({
        kind: 'standard-alphabet' as const,
        segment,
        token: rejoin(segment, parts[segment]!.replace(/-/g, '+').replace(/_/g, '/')),
      }));
  const foreign = fc.record({ segment: fc.constantFrom(0, 1, 2), at: fc.nat(), char: fc.constantFrom(...FOREIGN_CHARS) }).map(({ segment, at, char }) => {
    const seg = parts[segment]!;
    const i = at % (seg.length + 1);
    return { kind: 'foreign' as const, segment, token: rejoin(segment, seg.slice(0, i) + char + seg.slice(i)) };
  });
  return fc.oneof(bits, padding, standard, foreign);
}
