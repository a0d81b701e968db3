import { SignJWT, generateKeyPair, exportJWK, type JWK } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import vectors from './vectors/interop-vectors.json';
import {
  GrantexAuthError,
  OfflineConsentError,
  OfflineVerificationError,
  ScopeViolationError,
  TokenExpiredError,
  createOfflineVerifier,
  enforceScopes,
  hasScope,
  importKeyByKid,
  isSnapshotExpired,
  type OfflineVerifierOptions,
} from '../src/index.js';
import { ISSUER_KID, NOW, NOW_S, grantClaims, rawToken, signToken, snapshot } from './helpers/tokens.js';

function verifier(options: Partial<OfflineVerifierOptions> = {}) {
  return createOfflineVerifier({ jwksSnapshot: snapshot(), now: () => NOW, ...options });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OfflineConsentError);
    return (error as OfflineConsentError).code;
  }
  throw new Error('expected a rejection');
}

afterEach(() => vi.restoreAllMocks());

describe('the interop vector', () => {
  it('verifies at a fixed now between iat and exp and yields the expected grant', async () => {
    const grant = await verifier().verify(vectors.jwt.token);
    const c = vectors.jwt.claims;
    expect(grant).toEqual({
      agentDID: c.agt,
      principalDID: c.sub,
      scopes: c.scp,
      expiresAt: new Date(c.exp * 1000),
      jti: c.jti,
      grantId: c.grnt,
      depth: 0,
      limits: [],
    });
  });

  it('is expired one skew window after exp, and valid just inside it', async () => {
    const exp = vectors.jwt.claims.exp * 1000;
    const snap = snapshot({ validUntil: '2030-01-01T00:00:00Z' });
    await expect(verifier({ jwksSnapshot: snap, now: () => exp + 29_999 }).verify(vectors.jwt.token)).resolves.toBeTruthy();
    const err = await verifier({ jwksSnapshot: snap, now: () => exp + 30_000 }).verify(vectors.jwt.token).catch((e) => e);
    expect(err).toBeInstanceOf(TokenExpiredError);
    expect(err.code).toBe('TOKEN_EXPIRED');
    expect(err.expiredAt).toEqual(new Date(exp));
  });
});

describe('error codes, in PROTOCOL.md §2 order', () => {
  it('1 JWKS_SNAPSHOT_EXPIRED when validUntil passed, using the injected clock', async () => {
    const token = await signToken();
    const stale = snapshot({ validUntil: new Date(NOW - 1).toISOString() });
    expect(await codeOf(verifier({ jwksSnapshot: stale }).verify(token))).toBe('JWKS_SNAPSHOT_EXPIRED');
    const unparsable = snapshot({ validUntil: 'tomorrow' });
    expect(await codeOf(verifier({ jwksSnapshot: unparsable }).verify(token))).toBe('JWKS_SNAPSHOT_EXPIRED');
    // The snapshot check runs before anything else, even for garbage input.
    expect(await codeOf(verifier({ jwksSnapshot: stale }).verify('garbage'))).toBe('JWKS_SNAPSHOT_EXPIRED');
  });

  it('2 MALFORMED_TOKEN for undecodable headers, wrong part counts, non-strings and huge input', async () => {
    const v = verifier();
    for (const bad of ['', 'abc', 'a.b', '!!!.e30.x', 'e30.e30.x.y.z', `${'a'.repeat(70_000)}.e30.x`]) {
      expect(await codeOf(v.verify(bad))).toBe('MALFORMED_TOKEN');
    }
    expect(await codeOf(v.verify(42 as unknown as string))).toBe('MALFORMED_TOKEN');
    expect(await codeOf(v.verify(rawToken({ kid: ISSUER_KID }, grantClaims())))).toBe('MALFORMED_TOKEN');
  });

  it('3 BLOCKED_ALGORITHM for none, HS256 and every alg but RS256', async () => {
    const v = verifier();
    for (const alg of ['none', 'HS256', 'RS512', 'PS256', 'ES256', 'EdDSA', 'rs256']) {
      expect(await codeOf(v.verify(rawToken({ alg, kid: ISSUER_KID }, grantClaims(), 'c2ln')))).toBe('BLOCKED_ALGORITHM');
    }
  });

  it('3 BLOCKED_ALGORITHM for the HS256 key-confusion trick (RSA public key as HMAC secret)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(vectors.jwt.publicJwk));
    const token = await new SignJWT(grantClaims()).setProtectedHeader({ alg: 'HS256', kid: ISSUER_KID }).sign(secret);
    expect(await codeOf(verifier().verify(token))).toBe('BLOCKED_ALGORITHM');
  });

  it('4 MISSING_KID and KID_NOT_FOUND', async () => {
    const v = verifier();
    expect(await codeOf(v.verify(await signToken(grantClaims(), { kid: undefined })))).toBe('MISSING_KID');
    expect(await codeOf(v.verify(await signToken(grantClaims(), { kid: '' })))).toBe('MISSING_KID');
    expect(await codeOf(v.verify(await signToken(grantClaims(), { kid: 'other' })))).toBe('KID_NOT_FOUND');
    // A key with the right kid but another alg is not an RS256 key.
    const wrongAlg = snapshot({ keys: [{ ...(vectors.jwt.publicJwk as JWK), alg: 'RS512' }] });
    expect(await codeOf(verifier({ jwksSnapshot: wrongAlg }).verify(await signToken()))).toBe('KID_NOT_FOUND');
  });

  it('5 VERIFICATION_FAILED for a bad signature, a foreign key, a tampered payload and a non-object payload', async () => {
    const v = verifier();
    const token = await signToken();
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BA' : 'AA'}`;
    expect(await codeOf(v.verify(flipped))).toBe('VERIFICATION_FAILED');
    const tampered = rawToken({ alg: 'RS256', kid: ISSUER_KID }, grantClaims({ scp: ['email:send'] }), s);
    expect(await codeOf(v.verify(tampered))).toBe('VERIFICATION_FAILED');
    const { privateKey } = await generateKeyPair('RS256');
    const foreign = await new SignJWT(grantClaims()).setProtectedHeader({ alg: 'RS256', kid: ISSUER_KID }).sign(privateKey);
    expect(await codeOf(v.verify(foreign))).toBe('VERIFICATION_FAILED');
    const unencoded = await signToken(grantClaims(), { b64: true, crit: ['b64'] });
    expect(await codeOf(v.verify(unencoded))).toBe('VERIFICATION_FAILED');
  });

  it('5 VERIFICATION_FAILED (as upstream, from jose) for a missing exp or a time claim that is not a NumericDate', async () => {
    const v = verifier();
    const cases = [
      { exp: undefined }, // upstream reads it as 1970 and accepts; refused here, with upstream's code for a bad exp
      { exp: '1795259200' },
      { iat: 'yesterday' },
      { nbf: 'soon' },
      { exp: -1e13 }, // beyond the range of a Date: was an untyped RangeError building TokenExpiredError
      { exp: 1e13 },
      { nbf: 1e300 },
    ];
    for (const override of cases) {
      expect(await codeOf(v.verify(await signToken(grantClaims(override as never)))), JSON.stringify(override)).toBe('VERIFICATION_FAILED');
    }
  });

  it('5 INVALID_CLAIM for present claims of the wrong type, and for no agt or grant id (the guard attributes entries to them)', async () => {
    const v = verifier();
    const cases = [
      { scp: [1, 2] },
      { agt: undefined },
      { agt: '' },
      { sub: 7 },
      { jti: 7 },
      { jti: '', grnt: undefined },
      { jti: undefined, grnt: '' },
      { delegationDepth: -1 },
      { delegationDepth: 1.5 },
      { delegationDepth: '0' },
      { grnt: 5 },
      { iss: 5 },
    ];
    for (const override of cases) {
      expect(await codeOf(v.verify(await signToken(grantClaims(override as never)))), JSON.stringify(override)).toBe('INVALID_CLAIM');
    }
  });

  it('5 sub, jti and scp are optional as upstream: absent sub/jti read as "", absent or non-array scp as []', async () => {
    const v = verifier();
    const grant = await v.verify(await signToken(grantClaims({ sub: undefined, jti: undefined, scp: undefined })));
    expect(grant).toMatchObject({ principalDID: '', jti: '', grantId: 'grnt_test', scopes: [], agentDID: 'did:key:z6MkAgent' });
    expect((await v.verify(await signToken(grantClaims({ scp: 'sensor:read' } as never)))).scopes).toEqual([]);
    const noScp = await signToken(grantClaims({ scp: undefined }));
    const err = await verifier({ requireScopes: ['sensor:read'] }).verify(noScp).catch((e) => e);
    expect(err).toBeInstanceOf(ScopeViolationError);
    expect(err.grantScopes).toEqual([]);
  });

  it('5 upstream order: expiry and iat are judged before claim shape', async () => {
    const bare = { sub: undefined, agt: undefined, jti: undefined, grnt: undefined, scp: undefined };
    const expired = await signToken(grantClaims({ ...bare, exp: NOW_S - 100 }));
    const err = await verifier({ requireScopes: ['sensor:read'] }).verify(expired).catch((e) => e);
    expect(err).toBeInstanceOf(TokenExpiredError);
    expect(err.code).toBe('TOKEN_EXPIRED');
    for (const broken of [{ scp: [1] }, { delegationDepth: -1 }, { sub: 7 }]) {
      expect(await codeOf(verifier().verify(await signToken(grantClaims({ ...broken, exp: NOW_S - 100 } as never)))), JSON.stringify(broken)).toBe('TOKEN_EXPIRED');
    }
    expect(await codeOf(verifier().verify(await signToken(grantClaims({ ...bare, iat: NOW_S + 120 }))))).toBe('FUTURE_IAT');
    expect(await codeOf(verifier({ issuer: 'https://evil.example' }).verify(expired))).toBe('TOKEN_EXPIRED');
    // Cached tokens keep the order: the second call reads the remembered verdict.
    const v = verifier();
    const missingAgt = await signToken(grantClaims({ agt: undefined }));
    expect(await codeOf(v.verify(missingAgt))).toBe('INVALID_CLAIM');
    expect(await codeOf(v.verify(missingAgt))).toBe('INVALID_CLAIM');
  });

  it('6 TOKEN_EXPIRED carries expiredAt', async () => {
    const err = await verifier().verify(await signToken(grantClaims({ exp: NOW_S - 31 }))).catch((e) => e);
    expect(err).toBeInstanceOf(TokenExpiredError);
    expect(err.expiredAt.getTime()).toBe((NOW_S - 31) * 1000);
  });

  it('7 FUTURE_IAT beyond the skew, accepted within it', async () => {
    const v = verifier();
    expect(await codeOf(v.verify(await signToken(grantClaims({ iat: NOW_S + 31 }))))).toBe('FUTURE_IAT');
    await expect(v.verify(await signToken(grantClaims({ iat: NOW_S + 29 })))).resolves.toBeTruthy();
    expect(await codeOf(verifier({ clockSkewSeconds: 0 }).verify(await signToken(grantClaims({ iat: NOW_S + 1 }))))).toBe('FUTURE_IAT');
  });

  it('8 SCOPE_VIOLATION carries both scope lists; log mode only warns', async () => {
    const token = await signToken();
    const err = await verifier({ requireScopes: ['email:send'] }).verify(token).catch((e) => e);
    expect(err).toBeInstanceOf(ScopeViolationError);
    expect(err.code).toBe('SCOPE_VIOLATION');
    expect(err.requiredScopes).toEqual(['email:send']);
    expect(err.grantScopes).toEqual(['sensor:read', 'thermostat:write']);
    expect(err.missingScopes).toEqual(['email:send']);
    const warn = vi.fn();
    const grant = await verifier({ requireScopes: ['email:send'], onScopeViolation: 'log', logger: { warn } }).verify(token);
    expect(grant.scopes).toEqual(['sensor:read', 'thermostat:write']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(warn.mock.calls)).not.toContain(token);
  });

  it('9 DELEGATION_DEPTH_EXCEEDED above the maximum, inclusive at it', async () => {
    const token = await signToken(grantClaims({ delegationDepth: 2 }));
    expect(await codeOf(verifier({ maxDelegationDepth: 1 }).verify(token))).toBe('DELEGATION_DEPTH_EXCEEDED');
    expect((await verifier({ maxDelegationDepth: 2 }).verify(token)).depth).toBe(2);
  });

  it('checks run in order: an expired token with a missing scope reports TOKEN_EXPIRED', async () => {
    const token = await signToken(grantClaims({ exp: NOW_S - 100, delegationDepth: 9 }));
    expect(await codeOf(verifier({ requireScopes: ['email:send'], maxDelegationDepth: 0 }).verify(token))).toBe('TOKEN_EXPIRED');
  });

  it('refuses a token that is not valid yet (nbf) and enforces issuer when asked', async () => {
    expect(await codeOf(verifier().verify(await signToken(grantClaims({ nbf: NOW_S + 120 }))))).toBe('TOKEN_NOT_YET_VALID');
    expect(await codeOf(verifier({ issuer: 'https://evil.example' }).verify(await signToken()))).toBe('INVALID_CLAIM');
    await expect(verifier({ issuer: 'https://authority.example' }).verify(await signToken())).resolves.toBeTruthy();
  });

  it('falls back to jti when grnt is absent', async () => {
    const grant = await verifier().verify(await signToken(grantClaims({ grnt: undefined })));
    expect(grant.grantId).toBe('tok_test');
  });

  it('every error is also an instance of the upstream base class name', async () => {
    const err = await verifier().verify('x').catch((e) => e);
    expect(err).toBeInstanceOf(GrantexAuthError);
    expect(err).toBeInstanceOf(OfflineVerificationError);
    expect(err.message).not.toContain('x.');
  });
});

describe('options', () => {
  it('are validated at construction', () => {
    expect(() => verifier({ clockSkewSeconds: -1 })).toThrow(RangeError);
    expect(() => verifier({ maxDelegationDepth: -1 })).toThrow(RangeError);
    expect(() => verifier({ maxDelegationDepth: 0.5 })).toThrow(RangeError);
    expect(() => verifier({ onScopeViolation: 'ignore' as never })).toThrow(TypeError);
    expect(() => verifier({ requireScopes: 'a' as never })).toThrow(TypeError);
    expect(() => createOfflineVerifier({ jwksSnapshot: {} as never })).toThrow(TypeError);
  });
});

describe('hot path', () => {
  it('verifies the RSA signature once per token, yet re-checks time and scope on every call', async () => {
    let now = NOW;
    const v = createOfflineVerifier({ jwksSnapshot: snapshot(), now: () => now, requireScopes: ['sensor:read'] });
    const token = await signToken(grantClaims({ exp: NOW_S + 60 }));
    const spy = vi.spyOn(globalThis.crypto.subtle, 'verify');
    await v.verify(token);
    await v.verify(token);
    await v.verify(token);
    expect(spy).toHaveBeenCalledTimes(1);
    now = NOW + 91_000;
    expect(await codeOf(v.verify(token))).toBe('TOKEN_EXPIRED');
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('never caches a failure, and a mutated copy of the grant does not leak into the cache', async () => {
    const v = verifier();
    const token = await signToken();
    const first = await v.verify(token);
    first.scopes.push('email:send');
    expect((await v.verify(token)).scopes).toEqual(['sensor:read', 'thermostat:write']);
    const spy = vi.spyOn(globalThis.crypto.subtle, 'verify');
    const bad = `${token.slice(0, -3)}AAA`;
    await codeOf(v.verify(bad));
    await codeOf(v.verify(bad));
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('cacheSize 0 disables the cache', async () => {
    const v = verifier({ cacheSize: 0 });
    const token = await signToken();
    const spy = vi.spyOn(globalThis.crypto.subtle, 'verify');
    await v.verify(token);
    await v.verify(token);
    expect(spy).toHaveBeenCalledTimes(2);
  });
});

describe('helpers', () => {
  it('isSnapshotExpired uses the given clock and fails closed on bad dates', () => {
    const snap = snapshot();
    expect(isSnapshotExpired(snap, Date.parse(snap.validUntil) - 1)).toBe(false);
    expect(isSnapshotExpired(snap, Date.parse(snap.validUntil) + 1)).toBe(true);
    expect(isSnapshotExpired(snapshot({ validUntil: '' }), 0)).toBe(true);
  });

  it('importKeyByKid returns an RS256 CryptoKey or null', async () => {
    const key = await importKeyByKid(snapshot(), ISSUER_KID);
    expect(key?.algorithm.name).toBe('RSASSA-PKCS1-v1_5');
    expect(await importKeyByKid(snapshot(), 'nope')).toBeNull();
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const ec = { ...(await exportJWK(publicKey)), kid: 'ec' };
    expect(await importKeyByKid(snapshot({ keys: [ec] }), 'ec')).toBeNull();
  });

  it('hasScope and enforceScopes', () => {
    expect(hasScope(['a', 'b'], 'a')).toBe(true);
    expect(hasScope(['a', 'b'], 'c')).toBe(false);
    expect(() => enforceScopes(['a'], ['a'])).not.toThrow();
    expect(() => enforceScopes(['a'], ['a', 'b'])).toThrow(ScopeViolationError);
  });
});
