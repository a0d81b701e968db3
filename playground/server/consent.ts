// The demo app's backend, as a developer would write it: it alone holds the API key. The page
// proves it is one of this server's page sessions with a session token (`POST
// /playground/session`, standing in for an app's login); on consent the backend mints a
// one-time enrollment code for exactly the scopes (and the offered limits) the user ticked, and the page redeems it at
// the authority itself. One live bundle per page session: a new consent revokes the session's
// previous bundle; nothing is ever re-issued without a new consent.
import type { Context, Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import { limitsDefect } from '../src/limits.js';

export type AuthorityCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>;

export interface ConsentOptions {
  /** Calls the authority with the developer API key. */
  call: AuthorityCall;
  /** Where the page reaches the authority (its own origin). */
  authorityUrl: string;
  agentId: string;
  userId: string;
  /** The only scopes a consent may name. */
  scopes: readonly string[];
  /** More fields for the page's config (never a credential). */
  config?: Record<string, unknown>;
}

interface PageSession {
  /** The session's latest enrollment; the bundle it became (once redeemed) is the session's live one. */
  enrollmentId: string | null;
}

const MAX_SESSIONS = 1000;
const DURATION = /^[1-9]\d{0,5}[smhdw]$/;

const refuse = (c: Context, status: 400 | 401 | 403 | 502, code: string, message: string) => c.json({ code, message }, status);

export function consentRoutes(app: Hono, options: ConsentOptions): void {
  const sessions = new Map<string, PageSession>();

  const sessionOf = (c: Context): [string, PageSession] | null => {
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    const session = token === undefined ? undefined : sessions.get(token);
    return token !== undefined && session ? [token, session] : null;
  };

  /** The bundle the session's latest code became, or null (not redeemed yet, or none). */
  const liveBundle = async (session: PageSession): Promise<string | null> => {
    if (!session.enrollmentId) return null;
    const { status, json } = await options.call('GET', `/v1/enrollments/${encodeURIComponent(session.enrollmentId)}`);
    if (status !== 200) throw new Error(`authority GET /v1/enrollments/:id: ${status} ${json.code}`);
    return (json.bundleId ?? json.data?.bundleId ?? null) as string | null;
  };

  /** Ends the session's previous consent: revokes its bundle, or cancels its unused code. */
  const endPrevious = async (session: PageSession): Promise<void> => {
    if (!session.enrollmentId) return;
    const bundleId = await liveBundle(session);
    const { status, json } = bundleId
      ? await options.call('POST', `/v1/consent-bundles/${encodeURIComponent(bundleId)}/revoke`, {})
      : await options.call('DELETE', `/v1/enrollments/${encodeURIComponent(session.enrollmentId)}`);
    // A code redeemed between the look-up and the cancel: look again and revoke what it became.
    if (!bundleId && status === 409) return endPrevious(session);
    if (status !== 200) throw new Error(`authority: ending the previous consent answered ${status} ${json.code}`);
  };

  // Static, so the service worker may keep it for visits with no network.
  app.get('/playground/config', (c) => c.json({ ...options.config, authorityUrl: options.authorityUrl, userId: options.userId, scopes: options.scopes }));

  // A page session (the page keeps its token across reloads): what a real app's login would be.
  app.post('/playground/session', (c) => {
    const token = randomBytes(24).toString('base64url');
    if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
    sessions.set(token, { enrollmentId: null });
    return c.json({ sessionToken: token }, 201);
  });

  app.post('/playground/consent', async (c) => {
    const found = sessionOf(c);
    if (!found) return refuse(c, 401, 'UNAUTHORIZED', 'Not a session of this playground: reload the page');
    const [, session] = found;
    let body: { scopes?: unknown; offlineTTL?: unknown; limits?: unknown };
    try {
      body = await c.req.json();
    } catch {
      return refuse(c, 400, 'INVALID_JSON', 'The body must be JSON: {scopes, offlineTTL, limits?}');
    }
    const { scopes, offlineTTL, limits = [] } = body ?? {};
    if (!Array.isArray(scopes) || scopes.length === 0 || scopes.some((s) => typeof s !== 'string' || !options.scopes.includes(s)) || new Set(scopes).size !== scopes.length) {
      return refuse(c, 400, 'INVALID_SCOPES', `scopes must be distinct demo scopes: ${options.scopes.join(', ')}`);
    }
    if (typeof offlineTTL !== 'string' || !DURATION.test(offlineTTL)) {
      return refuse(c, 400, 'INVALID_TTL', 'offlineTTL must be a duration such as "24h"');
    }
    // Only the limits the consent form offers, on the scopes asked for: the grant is signed with exactly these.
    const defect = limitsDefect(limits, scopes);
    if (defect) return refuse(c, 400, 'INVALID_LIMITS', defect);
    try {
      await endPrevious(session);
    } catch (error) {
      return refuse(c, 502, 'AUTHORITY_ERROR', (error as Error).message);
    }
    const { status, json } = await options.call('POST', '/v1/enrollments', {
      agentId: options.agentId, userId: options.userId, scopes, offlineTTL, devicePlatform: 'browser',
      ...((limits as unknown[]).length > 0 ? { limits } : {}),
    });
    if (status !== 201) return c.json({ code: json.code ?? 'AUTHORITY_ERROR', message: json.message ?? `authority answered ${status}` }, status === 422 ? 400 : 502);
    session.enrollmentId = json.enrollmentId;
    return c.json({ code: json.code, expiresAt: json.expiresAt, authorityUrl: options.authorityUrl }, 201);
  });

  // The operator's console, reduced to one button: revoke this session's bundle.
  app.post('/operator/consent-bundles/:id/revoke', async (c) => {
    const found = sessionOf(c);
    if (!found) return refuse(c, 401, 'UNAUTHORIZED', 'Not a session of this playground');
    const id = c.req.param('id');
    if ((await liveBundle(found[1])) !== id) return refuse(c, 403, 'FORBIDDEN', 'Not this session\'s bundle');
    const { status, json } = await options.call('POST', `/v1/consent-bundles/${encodeURIComponent(id)}/revoke`, {});
    return c.json(json, status as 200);
  });
}
