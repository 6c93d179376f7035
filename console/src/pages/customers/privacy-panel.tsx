/**
 * Privacy actions on one customer (docs/decisions/0043): download everything stored about them
 * (GET /v1/customers/:id/export) as a JSON file, and erase their personal data
 * (POST /v1/customers/:id/redact) after a confirmation.
 */
import { useState } from 'react';
import { api, messageOf } from '../../api/client';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Banner } from '../../components/form-controls';

/** Offer `text` as a JSON download named `filename`. */
function downloadJson(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

export function PrivacyPanel({ customerId, onRedacted }: { customerId: string; onRedacted(): void }) {
  const base = `/v1/customers/${encodeURIComponent(customerId)}`;
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);

  async function exportData() {
    setError(null);
    setStatus(null);
    setBusy(true);
    try {
      const data = await api<unknown>('GET', `${base}/export`);
      downloadJson(`customer-${customerId}.json`, `${JSON.stringify(data, null, 2)}\n`);
      setStatus('Export downloaded.');
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function redact() {
    setError(null);
    setBusy(true);
    try {
      await api<{ redactedAt: string }>('POST', `${base}/redact`);
      setConfirming(false);
      setStatus('Personal data erased.');
      onRedacted();
    } catch (err) {
      setConfirming(false);
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="privacy-title">
      <h2 id="privacy-title">Privacy</h2>
      {error ? <Banner kind="error">{error}</Banner> : null}
      <p className="muted">For a data request: everything stored about this customer, as one JSON file.</p>
      <div className="row actions">
        <button type="button" className="secondary" disabled={busy} onClick={exportData}>
          Export data (JSON)
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => setConfirming(true)}>
          Erase personal data
        </button>
      </div>
      <p aria-live="polite" className="muted small">
        {status}
      </p>
      <ConfirmDialog
        open={confirming}
        title="Erase this customer's personal data?"
        confirmLabel="Erase personal data"
        busy={busy}
        onConfirm={redact}
        onCancel={() => setConfirming(false)}
      >
        <p>
          Their email, name and tags are erased everywhere Tierpass keeps them, including past webhook events
          and their wallet pass. Points, tier and history stay under the customer id. This cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}
