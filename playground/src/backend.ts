// The demo app's backend, as the page sees it: a page session (kept across reloads), the
// consent that becomes a one-time enrollment code, and the operator's revoke button. Only this
// origin sees the session token; the authority never does, and the API key never leaves the server.
import type { GrantLimit } from 'offline-consent';
import { deviceFetch } from './net.js';

const SESSION_KEY = 'offline-consent-playground.session';

async function newSession(): Promise<string> {
  const res = await deviceFetch(new URL('/playground/session', location.href), { method: 'POST' });
  if (!res.ok) throw new Error(`The playground server answered ${res.status} to a new session`);
  const { sessionToken } = await res.json();
  localStorage.setItem(SESSION_KEY, sessionToken);
  return sessionToken;
}

/** A call to the backend with this page's session; a session the server no longer knows (it restarted) is replaced once. */
async function backend(path: string, init: RequestInit = {}): Promise<any> {
  let token = localStorage.getItem(SESSION_KEY) ?? (await newSession());
  for (let attempt = 0; ; attempt++) {
    const res = await deviceFetch(new URL(path, location.href), { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } });
    const body = await res.json();
    if (res.status === 401 && attempt === 0) {
      token = await newSession();
      continue;
    }
    if (!res.ok) throw new Error(`${res.status} ${body.code}: ${body.message}`);
    return body;
  }
}

/** The user's consent: the backend mints a one-time enrollment code for exactly these scopes and limits. */
export function askForEnrollmentCode(scopes: string[], offlineTTL: string, limits: GrantLimit[] = []): Promise<{ code: string; authorityUrl: string }> {
  return backend('/playground/consent', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scopes, offlineTTL, ...(limits.length > 0 ? { limits } : {}) }) });
}

/** The operator, at the authority, revokes the grant; the device learns it at its next sync. */
export async function operatorRevoke(bundleId: string): Promise<{ revokedAt: string }> {
  const body = await backend(`/operator/consent-bundles/${encodeURIComponent(bundleId)}/revoke`, { method: 'POST' });
  return { revokedAt: body.revokedAt ?? body.data?.revokedAt };
}
