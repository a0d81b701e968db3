import { compactVerify, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEVICE_PROOF_HEADER, createDeviceProof } from '../src/index.js';
import { importEd25519PrivateKey, importEd25519PublicKey } from '../src/crypto/ed25519.js';
import { toBase64Url } from '../src/crypto/base64.js';
import { sha256 } from '../src/crypto/sha256.js';
import { utf8Decode, utf8Encode } from '../src/crypto/utf8.js';
import { AUDIT_KEY } from './helpers/chain.js';

const base = { privateKey: AUDIT_KEY.privateKey, bundleId: 'bnd_1', method: 'post', url: 'https://auth.example/v1/audit/offline-sync?x=1#frag' };

async function claimsOf(proof: string): Promise<Record<string, unknown>> {
  const { payload } = await compactVerify(proof, await importEd25519PublicKey(AUDIT_KEY.publicKey));
  return JSON.parse(utf8Decode(payload));
}

describe('createDeviceProof', () => {
  it('is a compact JWS verifying with the public key; header exactly {alg, typ}; claims as PROTOCOL §8', async () => {
    expect(DEVICE_PROOF_HEADER).toBe('OC-Device-Proof');
    const body = '{"bundleId":"bnd_1","entries":[]}';
    const proof = await createDeviceProof({ ...base, body, head: { seq: 4, hash: 'ab'.repeat(32) }, now: () => 1_700_000_000_999 });
    expect(proof.split('.')).toHaveLength(3);
    expect(decodeProtectedHeader(proof)).toEqual({ alg: 'EdDSA', typ: 'oc-device-proof+jwt' });
    const claims = await claimsOf(proof);
    expect(claims).toEqual({
      bid: 'bnd_1',
      htm: 'POST',
      htu: 'https://auth.example/v1/audit/offline-sync',
      iat: 1_700_000_000,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      bh: toBase64Url(await sha256(utf8Encode(body))),
      head: { seq: 4, hash: 'ab'.repeat(32) },
    });
  });

  it('bh of no body is the hash of the empty string; a UTF-8 body is hashed as its bytes; no head unless given', async () => {
    const empty = await claimsOf(await createDeviceProof({ ...base, method: 'GET' }));
    expect(empty.bh).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
    expect(empty).not.toHaveProperty('head');
    const text = '{"note":"café ☕"}';
    expect((await claimsOf(await createDeviceProof({ ...base, body: text }))).bh).toBe(toBase64Url(await sha256(utf8Encode(text))));
  });

  it('a fresh jti every call, and a CryptoKey (non-extractable) signs as well as PEM', async () => {
    const key = await importEd25519PrivateKey(AUDIT_KEY.privateKey);
    expect(key.extractable).toBe(false);
    const jtis = new Set<unknown>();
    for (let i = 0; i < 20; i++) jtis.add((await claimsOf(await createDeviceProof({ ...base, privateKey: i % 2 ? key : AUDIT_KEY.privateKey }))).jti);
    expect(jtis.size).toBe(20);
  });

  it('refuses a missing bundle id or a key that is not an Ed25519 private key', async () => {
    await expect(createDeviceProof({ ...base, bundleId: '' })).rejects.toBeInstanceOf(TypeError);
    await expect(createDeviceProof({ ...base, privateKey: AUDIT_KEY.publicKey })).rejects.toMatchObject({ code: 'INVALID_KEY' });
  });
});
