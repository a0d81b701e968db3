import { OfflineConsentError } from '../errors.js';

/** HTTP status codes the authority answers errors with. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 422 | 429 | 500 | 503;

/**
 * A request the authority refuses: becomes `{ code, message, requestId, ...details }` with
 * `status`. Thrown anywhere in a handler; the app's error hook turns it into the response.
 */
export class AuthorityApiError extends OfflineConsentError {
  /** The HTTP status of the answer. */
  readonly status: ErrorStatus;
  /** Extra fields merged into the answer's JSON body. */
  readonly details: Record<string, unknown>;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers: Record<string, string>;
  constructor(
    status: ErrorStatus,
    code: string,
    message: string,
    { details = {}, headers = {} }: { details?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message, code);
    this.name = 'AuthorityApiError';
    this.status = status;
    this.details = details;
    this.headers = headers;
  }
}

export const badRequest = (message: string, code = 'BAD_REQUEST') => new AuthorityApiError(400, code, message);
export const notFound = (what: 'Agent' | 'API key' | 'Bundle' | 'Enrollment', code: string) => new AuthorityApiError(404, code, `${what} not found`);
