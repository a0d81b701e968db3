import type { Context, MiddlewareHandler } from 'hono';
import { AuthorityApiError } from '../api-error.js';
import type { AuthorityContext, AuthorityEnv } from '../context.js';
import { requireApiKey } from '../http/auth.js';
import { deviceMayCall, REDEEM_PATH } from './device-routes.js';
import { KeySpans, loadAuditKeys, type AuditKeyRow } from './key-spans.js';
import { rememberJti } from './seen-jtis.js';
import { checkDeviceProof, DEVICE_PROOF_HEADER, invalidProof, parseDeviceProof, type DeviceProofClaims } from './verify-proof.js';

/** The keys a proof may be signed with: the newest, and for a repeated refresh the one before it (PROTOCOL.md §8). */
function proofKeys(spans: KeySpans, claims: DeviceProofClaims, isRefresh: boolean): AuditKeyRow[] {
  const current = spans.current;
  const previous = spans.keys[spans.keys.length - 2];
  const repeat = isRefresh && claims.head !== undefined && current.issued !== null && current.fromSeq === claims.head.seq + 1;
  return repeat && previous ? [current, previous] : [current];
}

/** The URL a proof must name: the public URL (or the origin reached) and the path, no query. */
function proofUrl(ctx: AuthorityContext, c: Context): string {
  const url = new URL(c.req.url);
  return `${ctx.publicUrl ?? url.origin}${url.pathname}`;
}

async function verifyDevice(ctx: AuthorityContext, c: Context<AuthorityEnv>, proof: string): Promise<void> {
  const claims = parseDeviceProof(proof);
  const rows = await ctx.db.query<{ developer_id: string }>('SELECT developer_id FROM bundles WHERE id = $1', [claims.bid]);
  if (!rows[0]) throw invalidProof('unknown-bundle', 'The device proof names no bundle of this authority');
  const spans = new KeySpans(await loadAuditKeys(ctx.db, claims.bid));
  const isRefresh = c.req.method === 'POST' && c.req.path.endsWith('/refresh');
  const request = { method: c.req.method, url: proofUrl(ctx, c), body: new Uint8Array(await c.req.arrayBuffer()), nowMs: ctx.now() };
  let signer: AuditKeyRow | null = null;
  let failure: unknown;
  for (const key of proofKeys(spans, claims, isRefresh)) {
    try {
      await checkDeviceProof(proof, claims, await spans.key(key.version), request);
      signer = key;
      break;
    } catch (error) {
      // Report what was wrong with the proof, not that the other candidate key did not sign it.
      if (failure === undefined || (error as AuthorityApiError).details?.reason !== 'signature') failure = error;
    }
  }
  if (!signer) throw failure;
  if ((isRefresh || c.req.path === '/v1/audit/offline-sync') && !claims.head) throw invalidProof('claims', 'A sync or refresh proof must carry the log head');
  if (!(await rememberJti(ctx.db, claims.bid, claims.jti, ctx.now()))) throw invalidProof('replayed', 'This device proof was used already');
  if (!deviceMayCall(c.req.method, c.req.path, claims.bid)) {
    throw new AuthorityApiError(403, 'DEVICE_NOT_ALLOWED', `A device proof reaches only its own bundle's device endpoints, not ${c.req.method} ${c.req.path}`);
  }
  c.set('developerId', rows[0].developer_id);
  c.set('apiKeyHash', `bundle:${claims.bid}`); // Rate limits of device calls count per bundle.
  c.set('device', { bundleId: claims.bid, developerId: rows[0].developer_id, keyVersion: signer.version, head: claims.head ?? null });
}

/**
 * `/v1/*` credentials: an API key (`Authorization: Bearer`) or a device proof
 * (`OC-Device-Proof`), never both. Redeeming an enrollment code needs neither.
 */
export function authenticate(ctx: AuthorityContext): MiddlewareHandler<AuthorityEnv> {
  const apiKey = requireApiKey(ctx.db);
  return async (c, next) => {
    if (c.req.path === REDEEM_PATH) return next();
    const proof = c.req.header(DEVICE_PROOF_HEADER);
    if (proof === undefined) return apiKey(c, next);
    if (c.req.header('Authorization') !== undefined) {
      throw new AuthorityApiError(400, 'AMBIGUOUS_CREDENTIALS', `Send an API key or an ${DEVICE_PROOF_HEADER}, not both`);
    }
    await verifyDevice(ctx, c, proof);
    await next();
  };
}
