import { describe, expect, it } from 'vitest';
import vectors from './vectors/interop-vectors.json';
import {
  BundleKeyMismatchError,
  BundleTamperedError,
  InvalidBundleError,
  OfflineConsentError,
  detectBundleFormat,
  importAuditSigningKey,
  openBundle,
  sealBundle,
  validateBundle,
  type ConsentBundle,
} from '../src/index.js';
import { fromBase64, toHex, randomBytes } from '../src/crypto/index.js';

const bundle = vectors.legacyBundle.bundle as ConsentBundle;
const PASS = vectors.legacyBundle.passphrase;
const HEX = vectors.pythonBundle.keyHex;
const LOW = { iterations: 100_000 }; // the minimum; the default 600,000 is exercised once below

async function aesKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']) as Promise<CryptoKey>;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(OfflineConsentError);
  return (e as OfflineConsentError).code;
}

describe('upstream vectors (PROTOCOL.md §4)', () => {
  it('the upstream TypeScript 0.1.x file opens with its passphrase', async () => {
    const bytes = fromBase64(vectors.legacyBundle.fileBase64);
    expect(detectBundleFormat(bytes)).toBe('legacy');
    expect(await openBundle(bytes, PASS)).toEqual(bundle);
  });

  it('the upstream Python file opens with its 64-hex key', async () => {
    const bytes = new TextEncoder().encode(vectors.pythonBundle.fileText);
    expect(detectBundleFormat(bytes)).toBe('python');
    expect(await openBundle(bytes, HEX)).toEqual(bundle);
  });

  it('the upstream scrypt (GTXB) file is a clear UNSUPPORTED_KDF without a scrypt function, never "tampered"', async () => {
    const bytes = fromBase64(vectors.scryptBundle.fileBase64);
    expect(detectBundleFormat(bytes)).toBe('scrypt');
    expect(await codeOf(openBundle(bytes, PASS))).toBe('UNSUPPORTED_KDF');
  });
});

describe('own format', () => {
  it('round-trips with a passphrase (default 600,000 PBKDF2 iterations, stored in the header)', async () => {
    const sealed = await sealBundle(bundle, PASS);
    expect(toHex(sealed.subarray(0, 5))).toBe('4f43420101');
    expect(new DataView(sealed.buffer, sealed.byteOffset + 5, 4).getUint32(0)).toBe(600_000);
    expect(await openBundle(sealed, PASS)).toEqual({ ...bundle, hwmRequired: true });
  });

  it('round-trips with a 64-hex raw key and with a CryptoKey, with no KDF', async () => {
    const raw = await sealBundle(bundle, HEX);
    expect(raw[4]).toBe(0);
    expect(await openBundle(raw, HEX.toUpperCase())).toEqual({ ...bundle, hwmRequired: true });
    const key = await aesKey();
    expect(await openBundle(await sealBundle(bundle, key), key)).toEqual({ ...bundle, hwmRequired: true });
  });

  it('seals twice to different bytes (random salt and IV)', async () => {
    const [a, b] = await Promise.all([sealBundle(bundle, HEX), sealBundle(bundle, HEX)]);
    expect(toHex(a)).not.toBe(toHex(b));
  });

  it("format 'legacy' writes the upstream 0.1.x layout, which opens", async () => {
    const sealed = await sealBundle(bundle, PASS, { format: 'legacy' });
    expect(detectBundleFormat(sealed)).toBe('legacy');
    expect(await openBundle(sealed, PASS)).toEqual({ ...bundle, hwmRequired: true });
  });
});

describe('every failure is typed', () => {
  it('wrong key → BUNDLE_TAMPERED, for every layout', async () => {
    expect(await codeOf(openBundle(await sealBundle(bundle, 'other passphrase', LOW), PASS))).toBe('BUNDLE_TAMPERED');
    expect(await codeOf(openBundle(await sealBundle(bundle, HEX), 'ab'.repeat(32)))).toBe('BUNDLE_TAMPERED');
    expect(await codeOf(openBundle(fromBase64(vectors.legacyBundle.fileBase64), 'wrong'))).toBe('BUNDLE_TAMPERED');
    expect(await codeOf(openBundle(new TextEncoder().encode(vectors.pythonBundle.fileText), 'cd'.repeat(32)))).toBe('BUNDLE_TAMPERED');
  });

  // Own passphrase layout: magic 0-2 | version 3 | kdf 4 | iterations 5-8 | salt 9-24 | IV 25-36 | ciphertext | tag (16).
  it('a flipped bit in each region of a passphrase bundle gets the code that region calls for', async () => {
    const sealed = await sealBundle(bundle, PASS, LOW);
    const end = sealed.length;
    const regions: [string, number, number, string][] = [
      ['magic (then not recognised; tried as legacy)', 0, 0x01, 'BUNDLE_TAMPERED'],
      ['version', 3, 0x01, 'UNSUPPORTED_BUNDLE_FORMAT'],
      ['KDF id → 0, the raw-key layout, which no passphrase opens', 4, 0x01, 'BUNDLE_KEY_MISMATCH'],
      ['KDF id → unknown 3', 4, 0x02, 'UNSUPPORTED_BUNDLE_FORMAT'],
      ['iterations, low bit (100,001: header no longer matches)', 8, 0x01, 'BUNDLE_TAMPERED'],
      ['iterations, high bit (over the 10,000,000 cap)', 5, 0x80, 'UNSUPPORTED_BUNDLE_FORMAT'],
      ['salt', 9, 0x10, 'BUNDLE_TAMPERED'],
      ['salt, last byte', 24, 0x80, 'BUNDLE_TAMPERED'],
      ['IV', 25, 0x01, 'BUNDLE_TAMPERED'],
      ['IV, last byte', 36, 0x40, 'BUNDLE_TAMPERED'],
      ['ciphertext, first byte', 37, 0x01, 'BUNDLE_TAMPERED'],
      ['ciphertext, middle', 37 + ((end - 53) >> 1), 0x08, 'BUNDLE_TAMPERED'],
      ['tag, first byte', end - 16, 0x01, 'BUNDLE_TAMPERED'],
      ['tag, last byte', end - 1, 0x80, 'BUNDLE_TAMPERED'],
    ];
    for (const [region, at, bit, code] of regions) {
      const bad = sealed.slice();
      bad[at]! ^= bit;
      expect(await codeOf(openBundle(bad, PASS)), region).toBe(code);
    }
  });

  /**
   * What one flipped bit of an own raw-key bundle (magic 0-2 | version 3 | KDF id 4 | IV | ciphertext‖tag)
   * is reported as. KDF id 0 → 1 makes it a passphrase layout, which a raw key or CryptoKey cannot open.
   */
  const rawFlipCode = (byte: number, bit: number) =>
    byte === 3 || (byte === 4 && bit !== 0) ? 'UNSUPPORTED_BUNDLE_FORMAT' : byte === 4 ? 'BUNDLE_KEY_MISMATCH' : 'BUNDLE_TAMPERED';

  it('every single-bit flip of a raw-key bundle is refused, with the code its byte calls for', async () => {
    const sealed = await sealBundle(bundle, HEX);
    const mismatches: string[] = [];
    for (let byte = 0; byte < sealed.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = sealed.slice();
        bad[byte]! ^= 1 << bit;
        const error = await openBundle(bad, HEX).then(() => null, (e: unknown) => e);
        const code = error instanceof OfflineConsentError ? error.code : `untyped ${String(error)}`;
        if (code !== rawFlipCode(byte, bit)) mismatches.push(`byte ${byte} bit ${bit}: ${code}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('a CryptoKey-sealed bundle with a flipped header bit is refused the same way', async () => {
    const key = await aesKey();
    const sealed = await sealBundle(bundle, key);
    for (let byte = 0; byte < 17; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = sealed.slice();
        bad[byte]! ^= 1 << bit;
        expect(await codeOf(openBundle(bad, key)), `byte ${byte} bit ${bit}`).toBe(rawFlipCode(byte, bit));
      }
    }
  });

  it('truncation and empty input → BUNDLE_TAMPERED', async () => {
    const sealed = await sealBundle(bundle, HEX);
    for (const n of [0, 3, 5, 16, 40, sealed.length - 1]) expect(await codeOf(openBundle(sealed.slice(0, n), HEX)), `${n} bytes`).toBe('BUNDLE_TAMPERED');
  });

  it('an unknown version, KDF id or absurd iteration count → UNSUPPORTED_BUNDLE_FORMAT', async () => {
    const sealed = await sealBundle(bundle, PASS, LOW);
    const version = sealed.slice();
    version[3] = 2;
    expect(await codeOf(openBundle(version, PASS))).toBe('UNSUPPORTED_BUNDLE_FORMAT');
    const kdf = sealed.slice();
    kdf[4] = 9;
    expect(await codeOf(openBundle(kdf, PASS))).toBe('UNSUPPORTED_BUNDLE_FORMAT');
    const huge = sealed.slice();
    new DataView(huge.buffer).setUint32(5, 4_000_000_000);
    expect(await codeOf(openBundle(huge, PASS))).toBe('UNSUPPORTED_BUNDLE_FORMAT');
  });

  it('a key of the wrong kind for the layout → BundleKeyMismatchError, before any key derivation', async () => {
    const mismatch = async (p: Promise<unknown>) => {
      const e = await p.then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(BundleKeyMismatchError);
      return (e as BundleKeyMismatchError).code;
    };
    expect(await mismatch(openBundle(await sealBundle(bundle, HEX), 'a passphrase'))).toBe('BUNDLE_KEY_MISMATCH');
    expect(await mismatch(openBundle(await sealBundle(bundle, PASS, LOW), await aesKey()))).toBe('BUNDLE_KEY_MISMATCH');
    expect(await mismatch(openBundle(await sealBundle(bundle, PASS, LOW), HEX))).toBe('BUNDLE_KEY_MISMATCH');
    expect(await mismatch(openBundle(new TextEncoder().encode(vectors.pythonBundle.fileText), PASS))).toBe('BUNDLE_KEY_MISMATCH');
    expect(await mismatch(openBundle(fromBase64(vectors.scryptBundle.fileBase64), await aesKey()))).toBe('BUNDLE_KEY_MISMATCH');
    // Old readers hash a passphrase; a legacy file sealed with a CryptoKey would open nowhere else.
    expect(await mismatch(sealBundle(bundle, await aesKey(), { format: 'legacy' }))).toBe('BUNDLE_KEY_MISMATCH');
  });

  it('a CryptoKey given bytes with no own-format header → BUNDLE_TAMPERED saying a legacy file needs its passphrase', async () => {
    const error = await openBundle(fromBase64(vectors.legacyBundle.fileBase64), await aesKey()).catch((e) => e);
    expect(error).toBeInstanceOf(BundleTamperedError);
    expect(error.message).toContain('passphrase');
  });

  it('decrypts but is not a bundle → INVALID_BUNDLE naming the first bad field, also when sealing', async () => {
    const broken = { ...bundle, jwksSnapshot: { ...bundle.jwksSnapshot, keys: [{ kty: 'RSA' }] } } as unknown as ConsentBundle;
    const error = await sealBundle(broken, HEX).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidBundleError);
    expect(error.field).toBe('jwksSnapshot.keys[0].kid');
    expect(() => validateBundle({ ...bundle, checkpointAt: '1' })).toThrow(expect.objectContaining({ field: 'checkpointAt' }));
    expect(() => validateBundle({ ...bundle, offlineAuditKey: { ...bundle.offlineAuditKey, algorithm: 'RSA' } })).toThrow(expect.objectContaining({ field: 'offlineAuditKey.algorithm' }));
    expect(() => validateBundle(null)).toThrow(InvalidBundleError);
  });

  it('bad keys are refused before any work', async () => {
    await expect(sealBundle(bundle, '')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(sealBundle(bundle, PASS, { iterations: 10 })).rejects.toBeInstanceOf(RangeError);
  });

  it('1,000 random mutations of a raw-key bundle are each rejected with a typed error', async () => {
    const sealed = await sealBundle(bundle, HEX);
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let i = 0; i < 1000; i++) {
      let bad = sealed.slice();
      switch (i % 4) {
        case 0: bad[rand(bad.length)]! ^= 1 << rand(8); break;
        case 1: bad = bad.slice(0, rand(bad.length)); break;
        case 2: { const at = rand(bad.length); bad = Uint8Array.from([...bad.slice(0, at), rand(256), ...bad.slice(at)]); break; }
        default: { const a = rand(bad.length), b = rand(bad.length); if (bad[a] === bad[b]) bad[a]! ^= 0xff; [bad[a], bad[b]] = [bad[b]!, bad[a]!]; }
      }
      const error = await openBundle(bad, HEX).then(() => null, (e: unknown) => e);
      expect(error, `mutation ${i}`).toBeInstanceOf(OfflineConsentError);
    }
  });
});

describe('importAuditSigningKey', () => {
  it('returns a non-extractable Ed25519 key that signs', async () => {
    const key = await importAuditSigningKey(bundle);
    expect(key.extractable).toBe(false);
    expect(key.algorithm.name).toBe('Ed25519');
    const sig = await crypto.subtle.sign('Ed25519', key, randomBytes(8));
    expect(sig.byteLength).toBe(64);
  });
});

describe('layout detection', () => {
  it('a legacy file whose random IV happens to start with "OCB" or "GTXB" still opens', async () => {
    // Also a whole own header (version 1, PBKDF2) and a whole GTXB one (version 1: the scrypt path without a scrypt function).
    for (const magic of [[0x4f, 0x43, 0x42], [0x4f, 0x43, 0x42, 1, 1], [0x47, 0x54, 0x58, 0x42], [0x47, 0x54, 0x58, 0x42, 1]]) {
      // Build the legacy layout by hand with an IV that starts with the magic.
      const plain = new TextEncoder().encode(JSON.stringify(bundle));
      const key = await crypto.subtle.importKey('raw', new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(PASS))), 'AES-GCM', false, ['encrypt']);
      const iv = Uint8Array.from({ length: 12 }, (_, i) => magic[i] ?? i);
      const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain));
      const sealed = new Uint8Array([...iv, ...ct.slice(-16), ...ct.slice(0, -16)]);
      expect(detectBundleFormat(sealed)).not.toBe('legacy');
      expect(await openBundle(sealed, PASS)).toEqual(bundle);
      // A wrong passphrase is still a typed refusal (the first layout's error stands).
      expect(['BUNDLE_TAMPERED', 'UNSUPPORTED_BUNDLE_FORMAT', 'UNSUPPORTED_KDF']).toContain(await codeOf(openBundle(sealed, 'wrong')));
    }
  });
});
