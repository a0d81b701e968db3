// An independent device for the authority's tests: proofs made here with jose, straight from
// PROTOCOL.md §8, so the server is checked against the format rather than against our client.
import { CompactSign, exportSPKI, generateKeyPair } from 'jose';
import { computeEntryHash, GENESIS_HASH, signEntryHash, type SignedAuditEntry } from '../../../src/audit/index.js';
import { randomBytes, sha256, toBase64Url, utf8Encode } from '../../../src/crypto/index.js';
import type { Api, Reply } from './harness.js';

export interface DeviceKey {
  privateKey: CryptoKey;
  publicPem: string;
}

export async function deviceKey(): Promise<DeviceKey> {
  const { privateKey, publicKey } = await generateKeyPair('Ed25519', { extractable: true });
  return { privateKey, publicPem: `${(await exportSPKI(publicKey)).trim()}\n` }; // as the authority re-encodes it
}

export interface ProofFields {
  bid: string;
  htm: string;
  htu: string;
  body?: string;
  head?: { seq: number; hash: string };
  iat?: number;
  jti?: string;
  header?: Record<string, unknown>;
}

export async function makeProof(key: CryptoKey, f: ProofFields): Promise<string> {
  const claims = {
    bid: f.bid,
    htm: f.htm,
    htu: f.htu,
    iat: f.iat ?? Math.floor(Date.now() / 1000),
    jti: f.jti ?? toBase64Url(randomBytes(16)),
    bh: toBase64Url(await sha256(f.body ?? '')),
    ...(f.head ? { head: f.head } : {}),
  };
  return new CompactSign(utf8Encode(JSON.stringify(claims)))
    .setProtectedHeader((f.header ?? { alg: 'EdDSA', typ: 'oc-device-proof+jwt' }) as { alg: string })
    .sign(key);
}

/** A device holding one bundle: signs its calls and its audit entries. */
export class Device {
  entries: SignedAuditEntry[] = [];
  constructor(
    readonly api: Api,
    readonly bundleId: string,
    public key: DeviceKey,
    readonly identity: { agentDID: string; grantId: string; scopes: string[] },
  ) {}

  get head() {
    const last = this.entries[this.entries.length - 1];
    return last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
  }

  /** Appends `n` entries signed with `signer` (default: the device's current key). */
  async append(n: number, signer: CryptoKey = this.key.privateKey): Promise<SignedAuditEntry[]> {
    const made: SignedAuditEntry[] = [];
    for (let i = 0; i < n; i++) {
      const prev = this.entries[this.entries.length - 1];
      const base = {
        seq: (prev?.seq ?? 0) + 1,
        timestamp: new Date(Date.now() + this.entries.length).toISOString(),
        action: 'sensor.read',
        agentDID: this.identity.agentDID,
        grantId: this.identity.grantId,
        scopes: [this.identity.scopes[0]!],
        result: 'success',
        prevHash: prev?.hash ?? GENESIS_HASH,
      };
      const hash = await computeEntryHash(base);
      const entry = { ...base, hash, signature: await signEntryHash(signer, hash) };
      this.entries.push(entry);
      made.push(entry);
    }
    return made;
  }

  /** A call with a fresh proof; `tweak` changes the proof's fields (attacks). */
  async call(method: string, path: string, body?: unknown, tweak: Partial<ProofFields> & { key?: CryptoKey } = {}): Promise<Reply> {
    const raw = body === undefined ? undefined : JSON.stringify(body);
    const proof = await makeProof(tweak.key ?? this.key.privateKey, {
      bid: this.bundleId, htm: method, htu: `${this.api.base}${path.split('?')[0]}`, ...(raw === undefined ? {} : { body: raw }), ...tweak,
    });
    return this.api.as(null).call(method, path, undefined, { ...(raw === undefined ? {} : { raw }), headers: { 'OC-Device-Proof': proof, ...(raw === undefined ? {} : { 'Content-Type': 'application/json' }) } });
  }

  sync(entries: SignedAuditEntry[], tweak: Partial<ProofFields> & { key?: CryptoKey } = {}): Promise<Reply> {
    return this.call('POST', '/v1/audit/offline-sync', { bundleId: this.bundleId, entries }, { head: this.head, ...tweak });
  }

  /** Refresh with a new key; `withKey` signs the proof (default: the current key). */
  refresh(next: DeviceKey, tweak: Partial<ProofFields> & { key?: CryptoKey } = {}): Promise<Reply> {
    return this.call('POST', `/v1/consent-bundles/${this.bundleId}/refresh`, { auditPublicKey: next.publicPem }, { head: this.head, ...tweak });
  }
}

/** Registers an agent, mints a code with the API key and redeems it as a new device. */
export async function enrollDevice(api: Api, scopes = ['sensor:read', 'door:open'], extra: Record<string, unknown> = {}): Promise<{ device: Device; bundle: any; enrollment: any; agentId: string }> {
  const agent = await api.post('/v1/agents', { name: 'pi', scopes });
  const enrollment = await api.post('/v1/enrollments', { agentId: agent.body.agentId, userId: 'alice', scopes, ...extra });
  if (enrollment.status !== 201) throw new Error(`enrollment ${enrollment.status} ${JSON.stringify(enrollment.body)}`);
  const key = await deviceKey();
  const redeemed = await api.as(null).post('/v1/enrollments/redeem', { code: enrollment.body.code, auditPublicKey: key.publicPem });
  if (redeemed.status !== 201) throw new Error(`redeem ${redeemed.status} ${JSON.stringify(redeemed.body)}`);
  const claims = JSON.parse(Buffer.from(redeemed.body.grantToken.split('.')[1], 'base64url').toString());
  const device = new Device(api, redeemed.body.bundleId, key, { agentDID: claims.agt, grantId: claims.grnt, scopes });
  return { device, bundle: redeemed.body, enrollment: enrollment.body, agentId: agent.body.agentId };
}
