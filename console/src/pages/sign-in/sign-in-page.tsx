/** Sign in with the program's API key (exchanged for a session cookie; the key is not kept). */
import { type FormEvent, useState } from 'react';
import { ApiError, messageOf } from '../../api/client';
import { useSession } from '../../api/session';
import { Banner, TextField } from '../../components/form-controls';
import { Link, navigate } from '../../router';

export function SignInPage() {
  const { signIn } = useSession();
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(apiKey.trim());
      setApiKey('');
      navigate('/customers', { replace: true });
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'That API key is not valid. Check that you copied the whole key of your program.'
          : messageOf(err),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth-page">
      <div className="card narrow">
        <h1>Sign in to Tierpass</h1>
        <p>Use your program's API key. It is exchanged for a session and not stored in this browser.</p>
        {error ? <Banner kind="error">{error}</Banner> : null}
        <form onSubmit={submit}>
          <TextField
            label="API key"
            type="password"
            autoComplete="off"
            required
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
          />
          <button type="submit" disabled={busy || apiKey.trim() === ''}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p className="muted">
          New here? <Link to="/onboarding">Create a program</Link> with the service's admin token.
        </p>
      </div>
    </main>
  );
}
