/** @jsxImportSource hono/jsx */
import { Layout } from '../components/layout.js';
import { consolePaths } from '../paths.js';

/** The sign-in form: one API key field (never echoed back), and why the last try failed, if it did. */
export function SignInPage({ error, notice }: { error?: string | undefined; notice?: string | undefined }) {
  return (
    <Layout title="Sign in">
      <div class="card narrow">
        <h1>Sign in</h1>
        <p class="muted">Sign in with one of your API keys. The console keeps a session, not the key.</p>
        {notice && <p class="notice" role="status">{notice}</p>}
        {error && <p class="error" role="alert" id="sign-in-error">{error}</p>}
        <form method="post" action={consolePaths.signIn}>
          <div class="field">
            <label for="api-key">API key</label>
            <input
              type="password"
              id="api-key"
              name="apiKey"
              required
              autocomplete="current-password"
              spellcheck={false}
              autofocus
              aria-describedby={error ? 'sign-in-error' : undefined}
              aria-invalid={error ? 'true' : undefined}
            />
          </div>
          <button type="submit">Sign in</button>
        </form>
      </div>
    </Layout>
  );
}
