// Where runtimes differ in Web Crypto, the library decides, the same way everywhere:
// - Ed25519 public keys of small order are refused at import (INVALID_KEY). Chromium and
//   Firefox accept such a key and verify an all-zero signature under one of them; WebKit's
//   web process crashes verifying under two of them (found running this suite in WebKitGTK).
// - WebKit fails about one Ed25519 generateKey in a hundred with an OperationError (WebKitGTK
//   2.50, extractable or not; signing, export and import never failed in 3,000 tries): the
//   library tries again, up to four times.
// - A runtime whose Web Crypto has no Ed25519 (Safari before 17, Chrome before 137) fails
//   with UNSUPPORTED_ALGORITHM naming it, not with a bare DOMException or a misleading INVALID_KEY.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createMemoryAuditStore,
  createOfflineAuditLog,
  generateEd25519KeyPair,
  verifyChain,
  type AuditEntry,
  type SignedAuditEntry,
} from '../src/index.js';
import { generateAuditKeyPair, importEd25519PublicKey } from '../src/crypto/ed25519.js';
import { derToPem, fromHex, toBase64Url } from '../src/crypto/index.js';
import { buildChain } from './helpers/chain.js';

const SPKI_PREFIX = '302a300506032b6570032100';
const ff = 'ff'.repeat(30);
// Every encoding of a point of small order that is 32 bytes long: the eight points (each with
// its sign bit both ways where it has one) and the non-canonical y = p and y = p + 1.
const SMALL_ORDER: Record<string, string> = {
  'identity (y = 1)': `01${'00'.repeat(31)}`,
  'identity, sign bit set': `01${'00'.repeat(30)}80`,
  'order 4 (y = 0)': '00'.repeat(32),
  'order 4, sign bit set': `${'00'.repeat(31)}80`,
  'order 2 (y = p - 1)': `ec${ff}7f`,
  'order 2, sign bit set': `ec${ff}ff`,
  'order 8 (y = c)': 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'order 8 (y = c), sign bit set': 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  'order 8 (y = p - c)': '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'order 8 (y = p - c), sign bit set': '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'non-canonical y = p (order 4)': `ed${ff}7f`,
  'non-canonical y = p + 1 (identity)': `ee${ff}7f`,
};
const pemOf = (raw: string) => derToPem(fromHex(SPKI_PREFIX + raw), 'PUBLIC KEY');
const jwkOf = (raw: string): JsonWebKey => ({ kty: 'OKP', crv: 'Ed25519', x: toBase64Url(fromHex(raw)) });

describe('Ed25519 public keys of small order', () => {
  it.each(Object.entries(SMALL_ORDER))('%s is refused as PEM and as a JWK with INVALID_KEY', async (_name, raw) => {
    await expect(importEd25519PublicKey(pemOf(raw))).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(importEd25519PublicKey(jwkOf(raw))).rejects.toMatchObject({ code: 'INVALID_KEY' });
  });

  it('verifyChain refuses a small-order key before it checks a signature (an all-zero signature verifies under one in Chromium and Firefox)', async () => {
    const entries = await buildChain(2);
    const forged: SignedAuditEntry[] = entries.map((e) => ({ ...e, signature: '00'.repeat(64) }));
    for (const raw of Object.values(SMALL_ORDER)) {
      await expect(verifyChain(forged, { publicKey: pemOf(raw) })).rejects.toMatchObject({ code: 'INVALID_KEY' });
      await expect(verifyChain(forged, { keys: [{ fromSeq: 1, toSeq: null, publicKey: pemOf(raw) }] })).rejects.toMatchObject({ code: 'INVALID_KEY' });
    }
  });

  it('the check is not over-broad: 100 fresh keys and the points next to the small-order ones import', async () => {
    for (let i = 0; i < 100; i++) await importEd25519PublicKey((await generateEd25519KeyPair()).publicKey);
    // y = 2 and y = 3 are points of large order.
    for (const raw of [`02${'00'.repeat(31)}`, `03${'00'.repeat(31)}`]) {
      const key = await importEd25519PublicKey(pemOf(raw));
      expect(key.algorithm.name).toBe('Ed25519');
    }
  });
});

describe('Ed25519 key generation', () => {
  afterEach(() => vi.restoreAllMocks());

  it('1,000 key pairs in a row, extractable and not, all succeed (in WebKit about ten generateKey calls fail on the way)', async () => {
    for (let i = 0; i < 500; i++) {
      const pair = await generateEd25519KeyPair();
      expect(pair.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      const held = await generateAuditKeyPair(false);
      expect((held.privateKey as CryptoKey).extractable).toBe(false);
    }
  });

  it('(simulated: WebKit\'s sporadic OperationError) three failures in a row are retried; a fourth is thrown as it came', async () => {
    const subtle = globalThis.crypto.subtle;
    const real = subtle.generateKey.bind(subtle);
    let failures = 3;
    const spy = vi.spyOn(subtle, 'generateKey').mockImplementation(((...args: Parameters<typeof real>) =>
      failures-- > 0 ? Promise.reject(new DOMException('The operation failed for an operation-specific reason', 'OperationError')) : real(...args)) as typeof real);
    expect((await generateEd25519KeyPair()).algorithm).toBe('Ed25519');
    expect(spy).toHaveBeenCalledTimes(4);
    failures = 4;
    spy.mockClear();
    await expect(generateEd25519KeyPair()).rejects.toMatchObject({ name: 'OperationError' });
    expect(spy).toHaveBeenCalledTimes(4);
  });
});

describe('(simulated: a runtime whose Web Crypto lacks Ed25519, as Safari 16 and Chrome 136) UNSUPPORTED_ALGORITHM', () => {
  afterEach(() => vi.restoreAllMocks());

  // What such a runtime does: every Ed25519 operation rejects with a NotSupportedError.
  function withoutEd25519(): void {
    const subtle = globalThis.crypto.subtle;
    const refuse = <F extends (...args: never[]) => Promise<unknown>>(real: F) =>
      ((...args: Parameters<F>) => {
        const algorithm = (args as unknown[]).find((a) => a === 'Ed25519' || (a as { name?: string })?.name === 'Ed25519');
        return algorithm ? Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError')) : real.apply(subtle, args);
      }) as unknown as F;
    vi.spyOn(subtle, 'importKey').mockImplementation(refuse(subtle.importKey));
    vi.spyOn(subtle, 'generateKey').mockImplementation(refuse(subtle.generateKey) as typeof subtle.generateKey);
  }

  it('importing a key names the missing algorithm', async () => {
    const { publicKey } = await generateEd25519KeyPair();
    withoutEd25519();
    const error = await importEd25519PublicKey(publicKey).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNSUPPORTED_ALGORITHM', name: 'OfflineConsentError' });
    expect((error as Error).message).toMatch(/Ed25519/);
    expect((error as Error).cause).toBeInstanceOf(DOMException);
  });

  it('making a key pair names it too', async () => {
    withoutEd25519();
    await expect(generateEd25519KeyPair()).rejects.toMatchObject({ code: 'UNSUPPORTED_ALGORITHM', message: expect.stringMatching(/Ed25519/) });
  });

  it('an audit log on such a runtime fails its first call with it and loses nothing already written', async () => {
    const key = await generateEd25519KeyPair();
    const entry: AuditEntry = { action: 'a', agentDID: 'did:x', grantId: 'g', scopes: [], result: 'success' };
    const store = createMemoryAuditStore();
    const first = createOfflineAuditLog({ store, signingKey: key });
    await first.append(entry);
    await first.close();
    withoutEd25519();
    const log = createOfflineAuditLog({ store, signingKey: key });
    await expect(log.append(entry)).rejects.toMatchObject({ code: 'UNSUPPORTED_ALGORITHM' });
    vi.restoreAllMocks();
    const reopened = createOfflineAuditLog({ store, signingKey: key });
    expect((await reopened.entries()).map((e) => e.seq)).toEqual([1]);
    expect((await reopened.verify()).valid).toBe(true);
  });
});
