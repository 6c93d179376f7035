/**
 * Connect the program to Klaviyo (docs/klaviyo.md): the merchant's private API key, checked
 * against Klaviyo by the server and never shown again (its last four characters at most).
 * Connected, the page shows the account and whether the key needs attention (Klaviyo refused it
 * while sending: nothing is sent until a working key is saved), the profile sync with its progress
 * bar, and can replace the key or disconnect.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { connectBody } from '../../../../src/features/klaviyo/klaviyo-schemas.js';
import { ApiError, api, messageOf } from '../../api/client';
import { type FieldErrors, serverFieldErrors, zodFieldErrors } from '../../api/field-errors';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Banner, TextField } from '../../components/form-controls';
import { KlaviyoSync } from './klaviyo-sync';

interface Connection {
  accountId: string;
  keyHint: string;
  state: 'connected' | 'needs_attention';
  lastError: string | null;
  revision: string;
  connectedAt: string;
  updatedAt: string;
}

function KeyForm({ title, onSaved }: { title: string; onSaved(c: Connection): void }) {
  const [apiKey, setApiKey] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const focusFirstError = () =>
    requestAnimationFrame(() =>
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
    );

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBanner(null);
    const parsed = connectBody.safeParse({ apiKey });
    if (!parsed.success) {
      setErrors(zodFieldErrors(parsed.error));
      focusFirstError();
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const saved = await api<Connection>('PUT', '/v1/integrations/klaviyo', { body: parsed.data });
      setApiKey('');
      onSaved(saved);
    } catch (err) {
      const refused = err instanceof ApiError && err.code === 'klaviyo_key_rejected';
      setErrors(refused ? { apiKey: err.message } : serverFieldErrors(err));
      setBanner(`The key was not saved: ${messageOf(err)}`);
      focusFirstError();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="card">
      <h2>{title}</h2>
      {banner ? <Banner kind="error">{banner}</Banner> : null}
      <TextField
        label="Private API key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={apiKey}
        error={errors.apiKey}
        hint="Klaviyo → Settings → API keys → Create Private API Key, with Accounts: Read, Events: Write, Profiles: Read and Write, Lists: Write and Data Privacy: Write (starts with pk_). Stored encrypted, never shown again."
        onChange={(e) => setApiKey(e.target.value)}
      />
      <button type="submit" disabled={busy}>
        {busy ? 'Checking the key…' : 'Save key'}
      </button>
    </form>
  );
}

export function KlaviyoPage() {
  const [connection, setConnection] = useState<Connection | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    api<Connection>('GET', '/v1/integrations/klaviyo')
      .then(setConnection)
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) setConnection(null);
        else setError(messageOf(err));
      });
  }, []);

  const saved = (c: Connection) => {
    setNotice('Klaviyo is connected: tier events and profiles are sent from now on.');
    setConnection(c);
  };

  async function disconnect() {
    setBusy(true);
    try {
      await api('DELETE', '/v1/integrations/klaviyo');
      setConnection(null);
      setNotice('Klaviyo is disconnected: the key is forgotten and nothing more is sent.');
    } catch (err) {
      setError(`Klaviyo was not disconnected: ${messageOf(err)}`);
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }

  return (
    <section>
      <h1>Klaviyo</h1>
      <p>
        Tier changes reach Klaviyo as metrics (Tier Upgraded, Tier Downgraded, Tags Changed, Tier Downgrade
        Warning), and each customer’s Klaviyo profile keeps their tier, points, next tier and what keeps their
        tier (tierpass_* properties you can segment on).
      </p>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {notice ? <Banner kind="success">{notice}</Banner> : null}
      {connection === undefined && !error ? <p>Loading…</p> : null}
      {connection === null ? <KeyForm title="Connect Klaviyo" onSaved={saved} /> : null}
      {connection ? (
        <>
          <div className="card">
            <h2>Klaviyo account {connection.accountId}</h2>
            {connection.state === 'needs_attention' ? (
              <Banner kind="error">
                Klaviyo refused the key: nothing is sent until a working key is saved below.{' '}
                {connection.lastError ? `(${connection.lastError})` : null}
              </Banner>
            ) : null}
            <dl>
              <dt>State</dt>
              <dd>{connection.state === 'connected' ? 'Connected' : 'Needs attention'}</dd>
              <dt>Key</dt>
              <dd>{connection.keyHint}</dd>
              <dt>API revision</dt>
              <dd>{connection.revision}</dd>
            </dl>
            <button type="button" className="danger" onClick={() => setConfirming(true)}>
              Disconnect Klaviyo
            </button>
          </div>
          <KlaviyoSync refresh={connection.updatedAt} />
          <KeyForm title="Replace the key" onSaved={saved} />
        </>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title="Disconnect Klaviyo?"
        confirmLabel="Disconnect"
        busy={busy}
        onConfirm={disconnect}
        onCancel={() => setConfirming(false)}
      >
        Tierpass forgets the key and sends nothing more; what is waiting is dropped. Klaviyo keeps what it
        received.
      </ConfirmDialog>
    </section>
  );
}
