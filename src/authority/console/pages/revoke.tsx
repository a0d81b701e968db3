/** @jsxImportSource hono/jsx */
import type { BundleRow } from '../../records.js';
import { CsrfField } from '../components/format.js';
import { Layout } from '../components/layout.js';
import type { ConsoleSession } from '../env.js';
import { consolePaths } from '../paths.js';

/** Name of the field the confirmation form sends: the bundle id, so a stray post cannot revoke another bundle. */
export const CONFIRM_FIELD = 'confirm';

/** "Revoke cb_…?": what revoking does, and the one button that does it (a POST with the CSRF token). */
export function RevokePage({ session, bundle }: { session: ConsoleSession; bundle: BundleRow }) {
  return (
    <Layout title={`Revoke ${bundle.id}?`} session={session} current="bundles">
      <div class="card narrow">
        <h1>Revoke <code>{bundle.id}</code>?</h1>
        <p>
          The device holding it (<strong>{bundle.device_id ?? 'no device id'}</strong>, user {bundle.user_id}) is told at its next sync and
          refuses every further tool call. Until it syncs, it can keep acting offline up to its deadline. Its trail is still accepted
          and kept; entries of tools that ran after now are flagged <code>afterRevocation</code>. This cannot be undone.
        </p>
        <form method="post" action={consolePaths.revoke(bundle.id)}>
          <CsrfField session={session} />
          <input type="hidden" name={CONFIRM_FIELD} value={bundle.id} />
          <div class="field">
            <label class="check"><input type="checkbox" name="revokeGrant" value="1" /> Also revoke the grant</label>
          </div>
          <div class="actions">
            <button type="submit" class="danger">Yes, revoke it</button>
            <a href={consolePaths.bundle(bundle.id)}>Cancel</a>
          </div>
        </form>
      </div>
    </Layout>
  );
}
