import { describe, expect, it } from 'vitest';
import vectors from './vectors/interop-vectors.json';
import {
  aesGcmOpen,
  aesGcmSeal,
  derToPem,
  ed25519Sign,
  ed25519Verify,
  fromBase64,
  fromBase64Url,
  fromHex,
  generateEd25519KeyPair,
  importAesGcmKey,
  importEd25519PrivateKey,
  importEd25519PublicKey,
  pbkdf2AesGcmKey,
  pemToDer,
  randomBytes,
  sha256Hex,
  toBase64,
  toBase64Url,
  toHex,
  utf8Decode,
  utf8Encode,
} from '../src/crypto/index.js';
import { OfflineConsentError } from '../src/errors.js';

describe('encodings', () => {
  it('round-trips hex, base64 and base64url over every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(fromHex(toHex(all))).toEqual(all);
    expect(fromBase64(toBase64(all))).toEqual(all);
    expect(fromBase64Url(toBase64Url(all))).toEqual(all);
    expect(toBase64Url(all)).not.toMatch(/[+/=]/);
  });

  it('matches RFC 4648 test vectors', () => {
    expect(toBase64(utf8Encode('foobar'))).toBe('Zm9vYmFy');
    expect(toBase64(utf8Encode('fooba'))).toBe('Zm9vYmE=');
    expect(toBase64Url(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
    expect(toHex(Uint8Array.of(0, 15, 255))).toBe('000fff');
  });

  it('rejects malformed input instead of guessing', () => {
    expect(() => fromHex('abc')).toThrow(TypeError);
    expect(() => fromHex('zz')).toThrow(TypeError);
    expect(() => fromBase64('Zm9v!')).toThrow(TypeError);
    expect(() => fromBase64Url('Zm9v+')).toThrow(TypeError);
    expect(() => utf8Decode(Uint8Array.of(0xc3, 0x28))).toThrow(TypeError);
  });

  it('handles large inputs', () => {
    const big = randomBytes(200_000);
    expect(fromBase64(toBase64(big))).toEqual(big);
  });
});

describe('PEM', () => {
  it('round-trips the vector Ed25519 keys byte for byte', () => {
    const der = pemToDer(vectors.auditKey.publicKey, 'PUBLIC KEY');
    expect(der.length).toBe(44);
    expect(derToPem(der, 'PUBLIC KEY')).toBe(vectors.auditKey.publicKey);
    const priv = pemToDer(vectors.auditKey.privateKey, 'PRIVATE KEY');
    expect(derToPem(priv, 'PRIVATE KEY')).toBe(vectors.auditKey.privateKey);
  });

  it('refuses a block with the wrong label', () => {
    expect(() => pemToDer(vectors.auditKey.publicKey, 'PRIVATE KEY')).toThrow(TypeError);
    expect(() => pemToDer('not pem', 'PUBLIC KEY')).toThrow(TypeError);
  });
});

describe('SHA-256', () => {
  it('matches FIPS 180-2 vectors', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('Ed25519', () => {
  it('signs the vector hash to exactly the vector signature (deterministic)', async () => {
    const entry = vectors.chain[0]!;
    const key = await importEd25519PrivateKey(vectors.auditKey.privateKey);
    const sig = await ed25519Sign(key, utf8Encode(entry.hash));
    expect(toHex(sig)).toBe(entry.signature);
  });

  it('verifies with PEM and JWK public keys and rejects a changed message', async () => {
    const entry = vectors.chain[0]!;
    const sig = fromHex(entry.signature);
    for (const input of [vectors.auditKey.publicKey, vectors.auditKey.publicJwk]) {
      const pub = await importEd25519PublicKey(input);
      expect(await ed25519Verify(pub, sig, utf8Encode(entry.hash))).toBe(true);
      expect(await ed25519Verify(pub, sig, utf8Encode(entry.hash.replace(/^./, 'f')))).toBe(false);
    }
  });

  it('imports private keys non-extractable by default', async () => {
    const key = await importEd25519PrivateKey(vectors.auditKey.privateKey);
    expect(key.extractable).toBe(false);
    expect(key.algorithm.name).toBe('Ed25519');
  });

  it('generates PEM pairs that sign and verify', async () => {
    const pair = await generateEd25519KeyPair();
    expect(pair.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const sig = await ed25519Sign(await importEd25519PrivateKey(pair.privateKey), utf8Encode('x'));
    expect(await ed25519Verify(await importEd25519PublicKey(pair.publicKey), sig, utf8Encode('x'))).toBe(true);
  });

  it('throws INVALID_KEY for garbage and for a key of the wrong kind', async () => {
    await expect(importEd25519PublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(importEd25519PrivateKey(vectors.auditKey.publicKey)).rejects.toBeInstanceOf(OfflineConsentError);
    const pub = await importEd25519PublicKey(vectors.auditKey.publicKey);
    await expect(importEd25519PrivateKey(pub)).rejects.toMatchObject({ code: 'INVALID_KEY' });
  });
});

describe('AES-256-GCM and PBKDF2', () => {
  it('seals and opens, with and without AAD, and rejects any change', async () => {
    const key = await importAesGcmKey(randomBytes(32));
    const iv = randomBytes(12);
    const aad = utf8Encode('header');
    const sealed = await aesGcmSeal(key, iv, utf8Encode('secret'), aad);
    expect(sealed.length).toBe(6 + 16);
    expect(utf8Decode(await aesGcmOpen(key, iv, sealed, aad))).toBe('secret');
    await expect(aesGcmOpen(key, iv, sealed, utf8Encode('other'))).rejects.toThrow();
    const flipped = sealed.slice();
    flipped[0]! ^= 1;
    await expect(aesGcmOpen(key, iv, flipped, aad)).rejects.toThrow();
  });

  it('rejects keys that are not 32 bytes', async () => {
    expect(() => importAesGcmKey(randomBytes(16))).toThrow(RangeError);
  });

  it('derives the RFC 7914 §11 PBKDF2-HMAC-SHA-256 key (checked by equal ciphertexts)', async () => {
    const derived = await pbkdf2AesGcmKey('passwd', utf8Encode('salt'), 1);
    // First 32 bytes of PBKDF2-HMAC-SHA-256(P="passwd", S="salt", c=1).
    const expected = await importAesGcmKey(fromHex('55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc'));
    const iv = new Uint8Array(12);
    const a = await aesGcmSeal(derived, iv, utf8Encode('probe'));
    const b = await aesGcmSeal(expected, iv, utf8Encode('probe'));
    expect(toHex(a)).toBe(toHex(b));
  });
});
