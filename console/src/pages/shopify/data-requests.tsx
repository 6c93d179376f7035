/**
 * Shopify's customer data requests (docs/shopify.md §5, decision 0047): each
 * `customers/data_request` the shop sent, with a download of the customer's export when one is
 * stored. Newest first.
 */
import { useEffect, useState } from 'react';
import { api, messageOf } from '../../api/client';
import { useSession } from '../../api/session';
import { Banner } from '../../components/form-controls';
import { formatInstant } from '../../format/instants';

interface DataRequest {
  id: string;
  dataRequestId: string | null;
  customerId: string | null;
  receivedAt: string;
  status: 'pending' | 'ready' | 'customer_unknown' | 'erased' | 'failed' | 'empty';
  erasedAt: string | null;
}

const STATUS_TEXT: Record<DataRequest['status'], string> = {
  pending: 'Pending',
  ready: 'Export ready',
  customer_unknown: 'No data held',
  erased: 'Erased since',
  failed: 'Failed',
  empty: 'No export',
};

/** Offer a JSON document as a download (an object URL clicked through a link). */
function downloadJson(filename: string, doc: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

export function ShopifyDataRequests() {
  const { program } = useSession();
  const [items, setItems] = useState<DataRequest[] | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    api<{ items: DataRequest[] }>('GET', '/v1/integrations/shopify/data-requests')
      .then((r) => setItems(r.items))
      .catch((err: unknown) => setError(messageOf(err)));
  }, []);

  async function download(r: DataRequest) {
    setBusy(r.id);
    setError(null);
    try {
      const doc = await api<unknown>(
        'GET',
        `/v1/integrations/shopify/data-requests/${encodeURIComponent(r.id)}/export`,
      );
      downloadJson(`data-request-${r.dataRequestId ?? r.id}-customer-${r.customerId ?? 'unknown'}.json`, doc);
    } catch (err) {
      setError(`The export was not downloaded: ${messageOf(err)}`);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="card">
      <h2>Customer data requests</h2>
      <p>
        When a customer asks your shop for their data, Shopify tells Tierpass and the customer’s export
        (profile, balances, ledger, tier history) is kept here for you to send them. A later erasure of the
        customer removes it.
      </p>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {items === undefined && !error ? <p>Loading…</p> : null}
      {items && items.length === 0 ? <p>No data requests yet.</p> : null}
      {items && items.length > 0 ? (
        <table className="log-table">
          <caption className="visually-hidden">Data requests, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">Customer</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id} data-request-id={r.id}>
                <td data-label="Received">
                  <div>
                    {formatInstant(r.receivedAt, program?.timezone)}
                    {r.dataRequestId ? <div className="muted">Shopify request {r.dataRequestId}</div> : null}
                  </div>
                </td>
                <td data-label="Customer">{r.customerId ?? '—'}</td>
                <td data-label="Status">
                  <span className={`pill state-${r.status}`}>{STATUS_TEXT[r.status]}</span>
                </td>
                <td data-label="Actions">
                  {r.status === 'ready' ? (
                    <button
                      type="button"
                      disabled={busy === r.id}
                      aria-label={`Download export, customer ${r.customerId ?? r.id}`}
                      onClick={() => download(r)}
                    >
                      {busy === r.id ? 'Downloading…' : 'Download export'}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
