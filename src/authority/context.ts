import type { Db } from './db/types.js';
import type { DeviceCaller } from './device-auth/device-caller.js';
import type { SigningKeyCache } from './signing-keys.js';

/** What every handler needs: the database, the clock, and the resolved options. */
export interface AuthorityContext {
  db: Db;
  now: () => number;
  signingKeys: SigningKeyCache;
  maxOfflineTtlMs: number;
  /** Base URL the authority is reached at; null → taken from each request's URL. */
  publicUrl: string | null;
  /** `iss` of issued tokens; null → the base URL. */
  issuer: string | null;
  refreshOnSync: boolean;
}

/** Hono's per-request variables set by the auth and request-id middleware. */
export interface AuthorityEnv {
  /** `device` is set when the caller proved itself with a device proof instead of an API key. */
  Variables: { developerId: string; apiKeyHash: string; requestId: string; device?: DeviceCaller };
}
