import type { AuthorityEnv } from '../context.js';

/** A signed-in operator: the session's token hash, whose it is, which API key opened it, and the token its forms carry. */
export interface ConsoleSession {
  /** SHA-256 (hex) of the cookie's token: the row's key. */
  tokenHash: string;
  developerId: string;
  developerName: string;
  /** SHA-256 of the API key signed in with; the session ends when that key is revoked. */
  apiKeyHash: string;
  /** The CSRF token every state-changing form of this session must carry. */
  csrfToken: string;
  /** Unix ms after which the session is no longer accepted. */
  expiresAt: number;
}

/** Hono variables of console requests: the authority's, plus the session once one is checked. */
export interface ConsoleEnv {
  Variables: AuthorityEnv['Variables'] & { session: ConsoleSession };
}
