/** The new program's API key, shown once: copy it, then sign in with it; the page then forgets it. */
import { CopyValue } from '../../components/copy-value';
import { Banner } from '../../components/form-controls';

export function ApiKeyOnce({
  apiKey,
  programName,
  busy,
  onSignIn,
}: {
  apiKey: string;
  programName: string;
  busy: boolean;
  onSignIn(): void;
}) {
  return (
    <div>
      <h1>{programName} is ready</h1>
      <Banner kind="info">
        <strong>Store this API key now: it will not be shown again.</strong> It signs in to this console and
        authenticates your shop's calls to the API. Tierpass keeps only a hash of it.
      </Banner>
      <CopyValue label="Your API key" value={apiKey} copyLabel="Copy API key">
        <button type="button" disabled={busy} onClick={onSignIn}>
          {busy ? 'Signing in…' : 'Sign in with this key'}
        </button>
      </CopyValue>
    </div>
  );
}
