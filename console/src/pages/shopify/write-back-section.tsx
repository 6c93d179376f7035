/**
 * The Shopify write-back on the Shopify page (docs/shopify.md, decision 0045): the on/off setting
 * and what was written — customers written, write-backs given up and the last error.
 */
import { useEffect, useState } from 'react';
import { api, messageOf } from '../../api/client';
import { Banner, CheckboxField } from '../../components/form-controls';

interface WriteBack {
  enabled: boolean;
  synced: number;
  failed: number;
  lastSyncedAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
}

const when = (iso: string) => new Date(iso).toLocaleString();

export function WriteBackSection() {
  const [state, setState] = useState<WriteBack | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<WriteBack>('GET', '/v1/integrations/shopify/write-back')
      .then(setState)
      .catch((err: unknown) => setError(messageOf(err)));
  }, []);

  async function toggle(enabled: boolean) {
    setBusy(true);
    setError(null);
    // Shown at once; put back if the server refuses.
    setState((s) => (s ? { ...s, enabled } : s));
    try {
      setState(await api<WriteBack>('PUT', '/v1/integrations/shopify/write-back', { body: { enabled } }));
    } catch (err) {
      setState((s) => (s ? { ...s, enabled: !enabled } : s));
      setError(`The setting was not saved: ${messageOf(err)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="write-back-title">
      <h3 id="write-back-title">Write-back to Shopify</h3>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {state ? (
        <>
          <CheckboxField
            label="Write tier tags and metafields to Shopify customers"
            hint="Adds the tier’s tag and removes other tiers’ tags (never your own tags), and sets the tierpass.tier, points, next_tier and progress metafields."
            checked={state.enabled}
            disabled={busy}
            onChange={(e) => toggle(e.target.checked)}
          />
          <dl>
            <dt>Customers written</dt>
            <dd>
              {state.synced.toLocaleString()}
              {state.lastSyncedAt ? ` (last ${when(state.lastSyncedAt)})` : ''}
            </dd>
            <dt>Given up</dt>
            <dd>{state.failed.toLocaleString()}</dd>
          </dl>
          {state.lastError ? (
            <Banner kind="error">
              Last write-back given up {when(state.lastError.at)}: {state.lastError.message} (
              {state.lastError.code})
            </Banner>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
