// The verdict PROTOCOL.md §2 prescribes for a correctly signed token with these claims,
// written from the spec (not from src/verifier), for model-based property tests.
import fc from 'fast-check';

export interface OracleOptions {
  nowMs: number;
  skewS: number;
  requireScopes: string[];
  maxDelegationDepth: number;
}

export type Verdict = { ok: true; grant: Record<string, unknown> } | { ok: false; code: string };

const LIMITS = 'urn:offline-consent:limits';
const isNonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
/** A NumericDate a Date can hold: ±8.64e15 ms, i.e. ±8.64e12 s. */
const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Math.abs(v) <= 8.64e12;

export function expectedVerdict(claims: Record<string, unknown>, o: OracleOptions): Verdict {
  const fail = (code: string): Verdict => ({ ok: false, code });
  const { exp, iat, nbf, scp, sub, agt, jti, grnt, iss, dev } = claims;
  const depth = claims.delegationDepth ?? 0;
  // Step 5a: time claim format (jose's, so upstream's, VERIFICATION_FAILED); a missing exp is refused too.
  for (const v of [exp, iat, nbf]) if (v !== undefined && !isNumericDate(v)) return fail('VERIFICATION_FAILED');
  if (exp === undefined) return fail('VERIFICATION_FAILED');
  // Steps 6–8, before any other claim is judged (upstream's order).
  const skewMs = o.skewS * 1000;
  if ((exp as number) * 1000 + skewMs <= o.nowMs) return fail('TOKEN_EXPIRED');
  if (iat !== undefined && (iat as number) * 1000 > o.nowMs + skewMs) return fail('FUTURE_IAT');
  if (nbf !== undefined && (nbf as number) * 1000 > o.nowMs + skewMs) return fail('TOKEN_NOT_YET_VALID');
  // Step 5b: the other claims. sub, jti, scp optional (scp not an array reads as []); a present
  // one of the wrong type, or no agt / grant id (grnt, else jti), → INVALID_CLAIM.
  const scopes = Array.isArray(scp) ? scp : [];
  if (!scopes.every((s) => typeof s === 'string')) return fail('INVALID_CLAIM');
  if (typeof depth !== 'number' || !Number.isSafeInteger(depth) || depth < 0) return fail('INVALID_CLAIM');
  for (const v of [sub, jti, grnt, iss, dev]) if (v !== undefined && typeof v !== 'string') return fail('INVALID_CLAIM');
  const grantId = isNonEmpty(grnt) ? grnt : (jti ?? '');
  if (!isNonEmpty(agt) || !isNonEmpty(grantId)) return fail('INVALID_CLAIM');
  // The limits claim (§2.1): absent, or a list of limits of the four kinds on the grant's own scopes.
  const limits = claims[LIMITS] ?? [];
  const known = (l: unknown) => l !== null && typeof l === 'object' && ['rate', 'total', 'budget', 'bounds'].includes((l as { kind?: unknown }).kind as string) && scopes.includes((l as { scope?: unknown }).scope as string);
  if (!Array.isArray(limits) || !limits.every(known)) return fail('INVALID_CLAIM');
  // Steps 9–10.
  if (!o.requireScopes.every((s) => scopes.includes(s))) return fail('SCOPE_VIOLATION');
  if (depth > o.maxDelegationDepth) return fail('DELEGATION_DEPTH_EXCEEDED');
  return {
    ok: true,
    grant: { agentDID: agt, principalDID: sub ?? '', scopes, expiresAt: new Date((exp as number) * 1000), jti: jti ?? '', grantId, depth, limits },
  };
}

const WRONG: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, '', 0, -1, 1.5, 1e308, -1e308, 8.64e12, 8.64e12 + 1, -1e13, true, [], {}, '1795100000', [1, 2]),
  fc.jsonValue({ maxDepth: 1 }),
);

/** Claim sets around a valid grant at `nowS`: plausible values, then 0–2 members made wrong or removed. */
export function claimsArb(nowS: number): fc.Arbitrary<Record<string, unknown>> {
  const time = (lo: number, hi: number) => fc.integer({ min: nowS + lo, max: nowS + hi });
  const plausible = fc.record(
    {
      sub: fc.constantFrom('user_alice', 'u'),
      agt: fc.constant('did:key:z6MkAgent'),
      scp: fc.subarray(['sensor:read', 'thermostat:write', 'email:send', 'sensor:read,thermostat:write']),
      jti: fc.stringMatching(/^tok_[a-z0-9]{1,8}$/),
      grnt: fc.constantFrom('grnt_1', ''),
      exp: time(-120, 86_400),
      iat: time(-3600, 120),
      nbf: time(-3600, 120),
      iss: fc.constant('https://authority.example'),
      delegationDepth: fc.nat({ max: 4 }),
      [LIMITS]: fc.array(fc.record({ scope: fc.constantFrom('sensor:read', 'thermostat:write', 'email:send'), kind: fc.constantFrom('rate', 'total', 'budget', 'bounds', 'quota'), max: fc.nat({ max: 9 }) }), { maxLength: 2 }),
    },
    { requiredKeys: ['sub', 'agt', 'scp', 'jti', 'exp'] },
  );
  const names = ['sub', 'agt', 'scp', 'jti', 'grnt', 'exp', 'iat', 'nbf', 'iss', 'delegationDepth', 'dev', LIMITS];
  const breaks = fc.array(fc.tuple(fc.constantFrom(...names), WRONG), { maxLength: 2 });
  return fc.tuple(plausible, breaks).map(([claims, bad]) => {
    const out: Record<string, unknown> = { ...claims };
    for (const [name, value] of bad) {
      if (value === undefined) delete out[name];
      else out[name] = value;
    }
    return out;
  });
}

/**
 * The claims as JSON text, some members written twice with another value first (JSON.parse,
 * and RFC 7519 §4, keep the last one).
 */
export function payloadTextArb(nowS: number): fc.Arbitrary<{ text: string; claims: Record<string, unknown> }> {
  return fc.tuple(claimsArb(nowS), claimsArb(nowS), fc.array(fc.nat(), { maxLength: 3 })).map(([claims, decoys, picks]) => {
    const names = Object.keys(claims);
    const members = names.map((k) => `${JSON.stringify(k)}:${JSON.stringify(claims[k])}`);
    const dupes = names.length === 0 ? [] : picks.map((i) => names[i % names.length]!);
    const early = dupes.filter((k) => k in decoys).map((k) => `${JSON.stringify(k)}:${JSON.stringify(decoys[k])}`);
    return { text: `{${[...early, ...members].join(',')}}`, claims };
  });
}
