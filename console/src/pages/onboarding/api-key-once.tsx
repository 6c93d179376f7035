/** The new program's API key, shown once: copy it, then sign in with it; the page then forgets it. */
import { useState } from 'react';
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
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  return (
    <div>
      <h1>{programName} is ready</h1>
      <Banner kind="info">
        <strong>Store this API key now: it will not be shown again.</strong> It signs in to this console and
        authenticates your shop's calls to the API. Tierpass keeps only a hash of it.
      </Banner>
      <div className="field">
        <label htmlFor="new-api-key">Your API key</label>
        <input
          id="new-api-key"
          className="key-box"
          readOnly
          value={apiKey}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
        />
      </div>
      <div className="row actions">
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(apiKey);
              setCopied('yes');
            } catch {
              setCopied('failed');
            }
          }}
        >
          Copy API key
        </button>
        <button type="button" disabled={busy} onClick={onSignIn}>
          {busy ? 'Signing in…' : 'Sign in with this key'}
        </button>
      </div>
      <p role="status" className="muted">
        {copied === 'yes'
          ? 'Copied to the clipboard.'
          : copied === 'failed'
            ? 'This browser did not allow copying: select the key and copy it yourself.'
            : ''}
      </p>
    </div>
  );
}
