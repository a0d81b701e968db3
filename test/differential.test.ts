// jose is the oracle: it signs randomised tokens and judges each one with jwtVerify;
// our verifier must accept exactly the tokens jose accepts.
import { SignJWT, createLocalJWKSet, generateKeyPair, jwtVerify, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { createOfflineVerifier, OfflineConsentError } from '../src/index.js';
import { ISSUER_KID, NOW, NOW_S, grantClaims, issuerPrivateKey, snapshot } from './helpers/tokens.js';

// Small deterministic PRNG so a failure is reproducible from its case number.
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'valid' | 'expired' | 'wrongKey' | 'tamperedPayload' | 'tamperedSignature' | 'wrongAlg';
const KINDS: Kind[] = ['valid', 'expired', 'wrongKey', 'tamperedPayload', 'tamperedSignature', 'wrongAlg'];

describe('differential test against jose', () => {
  it('agrees with jose on 200 randomised tokens', async () => {
    const rand = mulberry32(20261122);
    const issuer = await issuerPrivateKey();
    const foreign = (await generateKeyPair('RS256')).privateKey;
    const others = {
      RS512: (await generateKeyPair('RS512')).privateKey,
      PS256: (await generateKeyPair('PS256')).privateKey,
      ES256: (await generateKeyPair('ES256')).privateKey,
      EdDSA: (await generateKeyPair('EdDSA')).privateKey,
      HS256: new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'),
    };
    const snap = snapshot();
    const oracleKeys = createLocalJWKSet({ keys: snap.keys });
    const ours = createOfflineVerifier({ jwksSnapshot: snap, now: () => NOW });
    const tally: Record<string, number> = {};

    for (let i = 0; i < 200; i++) {
      const kind = KINDS[Math.floor(rand() * KINDS.length)]!;
      const claims: JWTPayload = grantClaims({
        jti: `tok_${i}`,
        iat: NOW_S - Math.floor(rand() * 3600),
        exp: kind === 'expired' ? NOW_S - 31 - Math.floor(rand() * 86_400) : NOW_S + 31 + Math.floor(rand() * 86_400),
        scp: ['sensor:read', 'calendar:read', 'email:send'].filter(() => rand() < 0.6),
        delegationDepth: Math.floor(rand() * 3),
      });
      let alg = 'RS256';
      let key: CryptoKey | Uint8Array = kind === 'wrongKey' ? foreign : issuer;
      if (kind === 'wrongAlg') {
        const algs = Object.keys(others) as (keyof typeof others)[];
        alg = algs[Math.floor(rand() * algs.length)]!;
        key = others[alg as keyof typeof others];
      }
      let token = await new SignJWT(claims).setProtectedHeader({ alg, kid: ISSUER_KID }).sign(key);
      const [h, p, s] = token.split('.') as [string, string, string];
      if (kind === 'tamperedPayload') {
        const forged = btoa(JSON.stringify({ ...claims, scp: ['*'] })).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
        token = `${h}.${forged}.${s}`;
      } else if (kind === 'tamperedSignature') {
        const pos = Math.floor(rand() * (s.length - 2));
        const c = s[pos] === 'A' ? 'B' : 'A';
        token = `${h}.${p}.${s.slice(0, pos)}${c}${s.slice(pos + 1)}`;
      }

      const oracle = await jwtVerify(token, oracleKeys, {
        algorithms: ['RS256'],
        currentDate: new Date(NOW),
        clockTolerance: 30,
        requiredClaims: ['exp'],
      }).then(
        () => true,
        () => false,
      );
      const verdict = await ours.verify(token).then(
        () => true,
        (e: unknown) => {
          expect(e, `case ${i} (${kind}) threw an untyped error`).toBeInstanceOf(OfflineConsentError);
          return false;
        },
      );
      expect(verdict, `case ${i} (${kind}, ${alg})`).toBe(oracle);
      expect(verdict, `case ${i} (${kind})`).toBe(kind === 'valid');
      tally[kind] = (tally[kind] ?? 0) + 1;
    }
    // Every kind was exercised.
    expect(Object.keys(tally).sort()).toEqual([...KINDS].sort());
  });

  it('agrees with jose on tokens lacking the optional claims (sub, jti, scp), and reports expiry first as upstream', async () => {
    const snap = snapshot();
    const oracleKeys = createLocalJWKSet({ keys: snap.keys });
    const ours = createOfflineVerifier({ jwksSnapshot: snap, now: () => NOW });
    const optional = ['sub', 'jti', 'scp'] as const;
    for (let mask = 0; mask < 1 << optional.length; mask++) {
      for (const expired of [false, true]) {
        const claims: JWTPayload = grantClaims({ exp: expired ? NOW_S - 100 : NOW_S + 3600 });
        optional.forEach((name, bit) => {
          if (mask & (1 << bit)) delete claims[name];
        });
        const token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: ISSUER_KID }).sign(await issuerPrivateKey());
        const oracle = await jwtVerify(token, oracleKeys, { algorithms: ['RS256'], currentDate: new Date(NOW), clockTolerance: 30, requiredClaims: ['exp'] }).then(
          () => 'accepted',
          (e: { code?: string }) => e.code,
        );
        const verdict = await ours.verify(token).then(
          () => 'accepted',
          (e: { code?: string }) => e.code,
        );
        expect(oracle, JSON.stringify(claims)).toBe(expired ? 'ERR_JWT_EXPIRED' : 'accepted');
        expect(verdict, JSON.stringify(claims)).toBe(expired ? 'TOKEN_EXPIRED' : 'accepted');
      }
    }
  });
});
