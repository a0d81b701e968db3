// Property-based attack on sealed bundles: random byte damage to every layout openBundle
// reads, and random JSON shapes sealed authentically. Each case ends in a typed damage code
// or in the very bundle that was sealed — never in a changed bundle, never untyped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../vectors/interop-vectors.json';
import { InvalidBundleError, OfflineConsentError, openBundle, sealBundle, validateBundle, type BundleKey, type ConsentBundle } from '../../src/index.js';
import { sealOwn } from '../../src/bundle/formats/own.js';
import { checkProperty } from '../helpers/properties.js';

const BUNDLE = vectors.legacyBundle.bundle as ConsentBundle; // the Python and scrypt vectors seal this same bundle
/** What this version seals: the bundle, marked as needing a high-water mark on its log. */
const SEALED = { ...BUNDLE, hwmRequired: true };
const HEX = vectors.pythonBundle.keyHex;
/** What damaged or foreign bytes may be told (src/errors.ts). */
const DAMAGE_CODES = new Set(['BUNDLE_TAMPERED', 'UNSUPPORTED_BUNDLE_FORMAT', 'INVALID_BUNDLE', 'BUNDLE_KEY_MISMATCH', 'UNSUPPORTED_KDF']);

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; bytes: number[] }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'swap'; a: number; b: number };

const byteList = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x20, 0x0a, 0x3d, 0x41)), { minLength: 1, maxLength: 16 });
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), bytes: byteList }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: byteList }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
);

function mutate(input: Uint8Array, m: Mutation): Uint8Array {
  const n = Math.max(input.length, 1);
  const out = [...input];
  switch (m.kind) {
    case 'flip': out[m.at % n] = (out[m.at % n] ?? 0) ^ (1 << m.bit); break;
    case 'set': out[m.at % n] = m.value; break;
    case 'truncate': out.length = m.at % n; break;
    case 'extend': out.push(...m.bytes); break;
    case 'insert': out.splice(m.at % (n + 1), 0, ...m.bytes); break;
    case 'delete': out.splice(m.at % n, m.count); break;
    case 'swap': [out[m.a % n], out[m.b % n]] = [out[m.b % n]!, out[m.a % n]!]; break;
  }
  return Uint8Array.from(out);
}

/** JSON with sorted keys, so equal bundles compare equal whatever order their file kept. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

/** Opens the bytes; the case holds when they fail with a damage code or give back exactly `original`. */
async function refusedOrSame(bytes: Uint8Array, key: BundleKey, original: unknown): Promise<boolean> {
  let opened: unknown;
  try {
    opened = await openBundle(bytes, key);
  } catch (error) {
    if (error instanceof OfflineConsentError && DAMAGE_CODES.has(error.code)) return true;
    throw new Error(`untyped or unexpected failure: ${error instanceof Error ? `${error.name} ${(error as { code?: string }).code} ${error.message}` : String(error)}`);
  }
  if (canonical(opened) === canonical(original)) return true;
  throw new Error(`damaged bytes opened to a changed bundle: ${JSON.stringify(opened).slice(0, 300)}`);
}

describe('sealed bundles under random damage (fast-check)', () => {
  const layouts: { name: string; runs: number; make: () => Promise<{ bytes: Uint8Array; key: BundleKey; bundle: unknown }> }[] = [
    { name: 'own, 64-hex key', runs: 1500, make: async () => ({ bytes: await sealBundle(BUNDLE, HEX), key: HEX, bundle: SEALED }) },
    {
      name: 'own, CryptoKey',
      runs: 1000,
      make: async () => {
        const key = (await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])) as CryptoKey;
        return { bytes: await sealBundle(BUNDLE, key), key, bundle: SEALED };
      },
    },
    // Legacy keys are SHA-256 of the passphrase: no KDF loop, so many cases stay cheap.
    { name: 'legacy, passphrase', runs: 1000, make: async () => ({ bytes: await sealBundle(BUNDLE, 'correct horse', { format: 'legacy' }), key: 'correct horse', bundle: SEALED }) },
    {
      name: 'upstream Python file, 64-hex key',
      runs: 1000,
      make: async () => ({ bytes: new TextEncoder().encode(vectors.pythonBundle.fileText), key: vectors.pythonBundle.keyHex, bundle: BUNDLE }),
    },
    {
      name: 'upstream scrypt file, no scrypt given',
      runs: 300,
      make: async () => ({ bytes: Uint8Array.from(atob(vectors.scryptBundle.fileBase64), (c) => c.charCodeAt(0)), key: vectors.scryptBundle.passphrase, bundle: BUNDLE }),
    },
  ];

  for (const layout of layouts) {
    it(`${layout.name}: 1-3 mutations are refused with a damage code, or give back the same bundle`, async () => {
      const { bytes, key, bundle } = await layout.make();
      const arb = fc.array(mutationArb, { minLength: 1, maxLength: 3 }).map((ms) => ms.reduce(mutate, bytes));
      await checkProperty(`bundle: ${layout.name}, damaged bytes`, fc.asyncProperty(arb, (bad) => refusedOrSame(bad, key, bundle)), layout.runs);
    });
  }

  it('own format, passphrase (PBKDF2 at the 100,000 minimum): damage after the KDF header is refused', async () => {
    const bytes = await sealBundle(BUNDLE, 'pass phrase', { iterations: 100_000 });
    const HEADER = 3 + 1 + 1 + 4 + 16; // magic, version, kdf, iterations, salt: kept so each case costs one PBKDF2 run
    const arb = fc.array(mutationArb, { minLength: 1, maxLength: 2 }).map((ms) => {
      const tail = ms.reduce(mutate, bytes.subarray(HEADER));
      return Uint8Array.from([...bytes.subarray(0, HEADER), ...tail]);
    });
    await checkProperty('bundle: own, passphrase, damaged bytes', fc.asyncProperty(arb, (bad) => refusedOrSame(bad, 'pass phrase', SEALED)), 25);
  });
});

/** A JSON value shaped like a bundle: the real one with fields replaced, removed or added at any depth. */
function bundleShapeArb(): fc.Arbitrary<unknown> {
  const paths: string[][] = [
    ['bundleId'], ['grantToken'], ['jwksSnapshot'], ['jwksSnapshot', 'keys'], ['jwksSnapshot', 'keys', '0'], ['jwksSnapshot', 'keys', '0', 'kid'],
    ['jwksSnapshot', 'keys', '0', 'kty'], ['jwksSnapshot', 'fetchedAt'], ['jwksSnapshot', 'validUntil'], ['offlineAuditKey'],
    ['offlineAuditKey', 'publicKey'], ['offlineAuditKey', 'privateKey'], ['offlineAuditKey', 'algorithm'], ['checkpointAt'],
    ['syncEndpoint'], ['offlineExpiresAt'], ['extraField'],
  ];
  const odd = fc.oneof(
    fc.constantFrom(undefined, null, '', 0, -1, Number.MAX_VALUE, true, [], {}, 'x.y', 'a.b.c', 'ED25519', 'not a date', 'http://h', '-----BEGIN PUBLIC KEY-----'),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const edits = fc.array(fc.tuple(fc.constantFrom(...paths), odd), { maxLength: 3 });
  return fc.oneof(
    { weight: 4, arbitrary: edits.map((list) => list.reduce((acc, [path, value]) => setPath(acc, path, value), structuredClone(BUNDLE) as unknown)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

function setPath(root: unknown, path: string[], value: unknown): unknown {
  if (root === null || typeof root !== 'object') return root;
  let node = root as Record<string, unknown>;
  for (const step of path.slice(0, -1)) {
    const next = node[step];
    if (next === null || typeof next !== 'object') return root;
    node = next as Record<string, unknown>;
  }
  const last = path.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = structuredClone(value); // constantFrom hands out one instance: never link it twice
  return root;
}

describe('bundle JSON shapes (fast-check)', () => {
  it('validateBundle: an InvalidBundleError naming a field, or the same object unchanged', async () => {
    await checkProperty(
      'bundle: validateBundle on random shapes',
      fc.property(bundleShapeArb(), (shape) => {
        const before = JSON.stringify(shape);
        try {
          const out = validateBundle(shape);
          return out === shape && JSON.stringify(out) === before;
        } catch (error) {
          return error instanceof InvalidBundleError && error.code === 'INVALID_BUNDLE' && error.field.length > 0 && JSON.stringify(shape) === before;
        }
      }),
      3000,
    );
  });

  it('an authentic seal of any JSON text opens to INVALID_BUNDLE or to exactly that JSON when it is a valid bundle', async () => {
    const key = (await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])) as CryptoKey;
    const text = fc.oneof(bundleShapeArb().map((v) => JSON.stringify(v) ?? 'undefined'), fc.string({ maxLength: 64 }));
    let opened = 0;
    await checkProperty(
      'bundle: sealed random JSON shapes',
      fc.asyncProperty(text, async (plain) => {
        // sealOwn encrypts any plaintext, as a hostile sealer with the key could.
        const bytes = await sealOwn(new TextEncoder().encode(plain), key);
        let isBundle = true;
        try {
          validateBundle(JSON.parse(plain));
        } catch {
          isBundle = false;
        }
        if (isBundle) opened++;
        const result = openBundle(bytes, key);
        if (!isBundle) return result.then(() => false, (e: unknown) => e instanceof InvalidBundleError);
        return result.then((b) => canonical(b) === canonical(JSON.parse(plain)), () => false);
      }),
      800,
    );
    expect(opened).toBeGreaterThan(0); // some shapes are still valid bundles and must round-trip
  });
});
