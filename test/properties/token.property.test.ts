// Property-based attack on the offline verifier: random and mutated grant tokens built from a
// real signed one. Nothing is ever accepted unless it is that token (byte for byte after
// decoding); every refusal is an OfflineConsentError with a documented code; an unsigned
// forgery never gets a claim-level verdict; over 64 KB nothing is parsed at all.
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import vectors from '../vectors/interop-vectors.json';
import { MAX_TOKEN_LENGTH, OfflineConsentError, createOfflineVerifier, type OfflineVerifier, type VerifiedGrant } from '../../src/index.js';
import { ISSUER_KID, NOW, NOW_S, signToken, snapshot } from '../helpers/tokens.js';
import { checkProperty } from '../helpers/properties.js';
import { b64url, editedToken, headerArb, nonCanonicalToken, reshapedToken, sameTokenBytes, signRaw } from '../helpers/token-mutations.js';
import { expectedVerdict, payloadTextArb } from '../helpers/claims-oracle.js';

/** Every code the verifier documents (PROTOCOL.md §2). */
const VERIFIER_CODES = new Set([
  'JWKS_SNAPSHOT_EXPIRED', 'MALFORMED_TOKEN', 'BLOCKED_ALGORITHM', 'MISSING_KID', 'KID_NOT_FOUND', 'VERIFICATION_FAILED',
  'INVALID_CLAIM', 'TOKEN_EXPIRED', 'TOKEN_NOT_YET_VALID', 'FUTURE_IAT', 'SCOPE_VIOLATION', 'DELEGATION_DEPTH_EXCEEDED',
]);
/** What a token the issuer did not sign may be told: claim verdicts come only after the signature holds. */
const UNSIGNED_CODES = new Set(['MALFORMED_TOKEN', 'BLOCKED_ALGORITHM', 'MISSING_KID', 'KID_NOT_FOUND', 'VERIFICATION_FAILED']);
const ORACLE = { nowMs: NOW, skewS: 30, requireScopes: ['sensor:read'], maxDelegationDepth: 2 };

type Outcome = { ok: true; grant: VerifiedGrant } | { ok: false; error: unknown };

async function outcome(v: OfflineVerifier, token: unknown): Promise<Outcome> {
  try {
    return { ok: true, grant: await v.verify(token as string) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The code of a typed refusal; fails the case on an untyped exception or an undocumented code. */
function codeOf(o: Outcome): string {
  if (o.ok) throw new Error('expected a refusal, got a grant');
  if (!(o.error instanceof OfflineConsentError)) throw new Error(`untyped exception escaped: ${String(o.error)}`);
  if (!VERIFIER_CODES.has(o.error.code)) throw new Error(`undocumented code ${o.error.code}`);
  return o.error.code;
}

describe('grant tokens under attack (fast-check)', () => {
  let valid: string;
  let verifier: OfflineVerifier;
  let expected: VerifiedGrant;
  const fresh = () => createOfflineVerifier({ jwksSnapshot: snapshot(), now: () => NOW, requireScopes: ORACLE.requireScopes, maxDelegationDepth: 2 });

  beforeAll(async () => {
    valid = await signToken();
    verifier = fresh();
    expected = await verifier.verify(valid);
  });
  afterEach(() => vi.restoreAllMocks());

  /** Accepted only when it is the valid token, character for character, and then with the same grant; else an unsigned-token code. */
  async function judgeForgery(token: unknown): Promise<boolean> {
    const o = await outcome(verifier, token);
    if (o.ok) return token === valid && JSON.stringify(o.grant) === JSON.stringify(expected);
    return UNSIGNED_CODES.has(codeOf(o));
  }

  it('character edits in the header, payload, signature or anywhere are refused', async () => {
    await checkProperty('token: 1-4 character edits', fc.asyncProperty(editedToken(valid), judgeForgery), 3000);
  });

  it('segment counts, truncations and extensions are refused', async () => {
    await checkProperty('token: reshaped segments', fc.asyncProperty(reshapedToken(valid), judgeForgery), 1000);
  });

  it('any other header (alg variants, kid, crit, b64, extra fields) on the signed payload is refused', async () => {
    const [, p, s] = valid.split('.') as [string, string, string];
    const forged = headerArb(ISSUER_KID).map((h) => `${b64url(JSON.stringify(h))}.${p}.${s}`);
    await checkProperty('token: forged headers', fc.asyncProperty(forged, judgeForgery), 1000);
  });

  it('a payload re-encoded with changed claims (the original signature kept) is refused', async () => {
    const [h, , s] = valid.split('.') as [string, string, string];
    const forged = payloadTextArb(NOW_S).map(({ text }) => `${h}.${b64url(text)}.${s}`);
    await checkProperty('token: forged payloads', fc.asyncProperty(forged, judgeForgery), 1000);
  });

  it('a valid token respelled (unused bits set, padding, the standard alphabet) or soiled with a foreign character anywhere is MALFORMED_TOKEN', async () => {
    const tally: Record<string, number> = {};
    await checkProperty(
      'token: non-canonical encodings of the valid token',
      fc.asyncProperty(nonCanonicalToken(valid), async ({ kind, segment, token }) => {
        tally[`${kind}@${segment}`] = (tally[`${kind}@${segment}`] ?? 0) + 1;
        // The respellings carry the valid token's very bytes: only the spelling is refused.
        if (kind === 'unused-bits' && !sameTokenBytes(token, valid)) return false;
        // A fresh verifier each time, so no cached header or grant answers for it.
        const o = await outcome(fresh(), token);
        return token !== valid && codeOf(o) === 'MALFORMED_TOKEN';
      }),
      600,
    );
    console.log('[property] non-canonical kinds:', JSON.stringify(tally));
    expect(Object.keys(tally).filter((k) => k.startsWith('unused-bits@2'))).toHaveLength(1); // the signature's spare bits are reached
  });

  it('non-strings and random text are typed refusals', async () => {
    const junk = fc.oneof(fc.anything(), fc.string({ maxLength: 200 }), fc.stringMatching(/^[A-Za-z0-9_=.+/-]{0,300}$/));
    await checkProperty('token: random values', fc.asyncProperty(junk, judgeForgery), 1000);
  });

  const sign = (alg: Parameters<typeof signRaw>[0], header: Record<string, unknown>, text: string) =>
    signRaw(alg, header, text, vectors.jwt.privateJwk as JsonWebKey, new TextEncoder().encode(JSON.stringify(vectors.jwt.publicJwk)));

  it('tokens the issuer really signed, with any claims (duplicated members too), get exactly the verdict PROTOCOL.md §2 prescribes', async () => {
    const tally: Record<string, number> = {};
    await checkProperty(
      'token: signed random claims vs spec oracle',
      fc.asyncProperty(payloadTextArb(NOW_S), async ({ text }) => {
        const token = await sign('RS256', { kid: ISSUER_KID }, text);
        const want = expectedVerdict(JSON.parse(text) as Record<string, unknown>, ORACLE);
        const verdict = want.ok ? 'accepted' : want.code;
        tally[verdict] = (tally[verdict] ?? 0) + 1;
        const got = await outcome(fresh(), token);
        if (want.ok) return got.ok && JSON.stringify(got.grant) === JSON.stringify(want.grant);
        return codeOf(got) === want.code;
      }),
      400,
    );
    console.log('[property] verdicts:', JSON.stringify(tally));
    // The generator must reach acceptance and every claim-level verdict, or the oracle proves little.
    expect(Object.keys(tally).sort()).toEqual(['DELEGATION_DEPTH_EXCEEDED', 'FUTURE_IAT', 'INVALID_CLAIM', 'SCOPE_VIOLATION', 'TOKEN_EXPIRED', 'TOKEN_NOT_YET_VALID', 'VERIFICATION_FAILED', 'accepted']);
  });

  it('the issuer key under any other alg (PS256, RS384, RS512, HS256 with the public key as secret), with or without crit, is BLOCKED_ALGORITHM', async () => {
    const arb = fc.record({
      alg: fc.constantFrom('PS256', 'RS384', 'RS512', 'HS256'),
      claims: payloadTextArb(NOW_S),
      crit: fc.option(fc.constantFrom(['exp'], ['b64'], ['x-custom'])),
    });
    await checkProperty(
      'token: other algs, real signatures',
      fc.asyncProperty(arb, async ({ alg, claims, crit }) => {
        const token = await sign(alg, { kid: ISSUER_KID, ...(crit ? { crit } : {}) }, claims.text);
        return codeOf(await outcome(fresh(), token)) === 'BLOCKED_ALGORITHM';
      }),
      100,
    );
  });

  it('a real RS256 signature over a header with crit or b64 is refused (fail closed on extensions)', async () => {
    const arb = fc.record({
      ext: fc.oneof(
        fc.record({ crit: fc.constantFrom(['exp'], ['b64'], ['kid'], ['x-custom'], [], 'b64') }, { requiredKeys: ['crit'] }),
        fc.record({ b64: fc.boolean() }),
        fc.record({ crit: fc.constant(['b64']), b64: fc.boolean() }),
      ),
      claims: payloadTextArb(NOW_S),
    });
    await checkProperty(
      'token: signed crit/b64 headers',
      fc.asyncProperty(arb, async ({ ext, claims }) => {
        const token = await sign('RS256', { kid: ISSUER_KID, ...ext }, claims.text);
        return codeOf(await outcome(fresh(), token)) === 'VERIFICATION_FAILED';
      }),
      100,
    );
  });
});

describe('inputs over 64 KB are refused before any parsing', () => {
  const MARKER = 'kid-marker-4f1c9e';
  const header = b64url(JSON.stringify({ alg: 'RS256', kid: MARKER }));
  afterEach(() => vi.restoreAllMocks());

  /** Verifies `token` while watching every JSON/base64 decoder for input taken from its header. */
  async function parsedHeader(token: string): Promise<{ parsed: boolean; code: string }> {
    const seen: string[] = [];
    const record = (arg: unknown) => { if (typeof arg === 'string') seen.push(arg); };
    const parse = JSON.parse;
    vi.spyOn(JSON, 'parse').mockImplementation((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => (record(text), parse(text, reviver)));
    const decodeAtob = globalThis.atob;
    vi.spyOn(globalThis, 'atob').mockImplementation((s: string) => (record(s), decodeAtob(s)));
    const u8 = Uint8Array as unknown as { fromBase64?: (s: string, o?: unknown) => Uint8Array };
    if (typeof u8.fromBase64 === 'function') {
      const from = u8.fromBase64;
      vi.spyOn(u8 as Required<typeof u8>, 'fromBase64').mockImplementation((s: string, o?: unknown) => (record(s), from.call(Uint8Array, s, o)));
    }
    const decode = TextDecoder.prototype.decode;
    vi.spyOn(TextDecoder.prototype, 'decode').mockImplementation(function (this: TextDecoder, input?: AllowSharedBufferSource, o?: TextDecodeOptions) {
      const text = decode.call(this, input, o);
      record(text);
      return text;
    });
    const o = await outcome(createOfflineVerifier({ jwksSnapshot: snapshot(), now: () => NOW }), token);
    vi.restoreAllMocks();
    const std = header.replace(/-/g, '+').replace(/_/g, '/');
    const parsed = seen.some((s) => s.includes(MARKER) || s.startsWith(header) || s.startsWith(std));
    return { parsed, code: codeOf(o) };
  }

  it('the detector sees the header being parsed in a token just under the limit (control)', async () => {
    // Canonical base64url throughout (a payload of whole quads, a 2-character signature), so only the kid can fail.
    const room = MAX_TOKEN_LENGTH - header.length - 4;
    const token = `${header}.${'A'.repeat(room - (room % 4))}.AA`;
    expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
    expect(await parsedHeader(token)).toEqual({ parsed: true, code: 'KID_NOT_FOUND' });
  });

  it('any token of more than 64 KB (characters, or UTF-8 bytes) is MALFORMED_TOKEN with nothing decoded', async () => {
    const filler = fc.constantFrom('A', '.', '-', '=', 'é', '€', '\u{1F600}', '\u0000');
    const arb = fc.record({ extra: fc.nat({ max: 4096 }), fill: filler, where: fc.constantFrom('payload', 'signature', 'tail') }).map(({ extra, fill, where }) => {
      // UTF-8 length just over the limit, plus `extra`; the header (with the marker) stays intact.
      const bytesPer = new TextEncoder().encode(fill).length;
      const body = fill.repeat(Math.ceil((MAX_TOKEN_LENGTH + 1 + extra) / bytesPer));
      if (where === 'payload') return `${header}.${body}.AAAA`;
      if (where === 'signature') return `${header}.e30.${body}`;
      return `${header}.e30.AAAA${body}`;
    });
    await checkProperty(
      'token: over 64 KB, never parsed',
      fc.asyncProperty(arb, async (token) => {
        expect(new TextEncoder().encode(token).length).toBeGreaterThan(MAX_TOKEN_LENGTH);
        const r = await parsedHeader(token);
        return !r.parsed && r.code === 'MALFORMED_TOKEN';
      }),
      60,
    );
  });
});
