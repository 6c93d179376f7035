/**
 * The preview's sample customer: an id to preview a real customer, that customer's real
 * `.pkpass` (fetched with the session cookie, handed over as a download) and Google save link.
 */
import { type FormEvent, useEffect, useId, useState } from 'react';
import { ApiError, api, messageOf } from '../../api/client';

export interface SampleCustomerProps {
  /** The customer the preview shows, or null for the built-in sample. */
  customerId: string | null;
  /** Error of the last load (e.g. customer_not_found), shown at the field. */
  error: string | null;
  /** Load the preview for this customer ('' for the built-in sample). */
  onPick(customerId: string): void;
}

type GoogleState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'ready'; url: string }
  | { kind: 'off'; message: string }
  | { kind: 'error'; message: string };

export function SampleCustomer({ customerId, error, onPick }: SampleCustomerProps) {
  const id = useId();
  const [value, setValue] = useState(customerId ?? '');
  const [download, setDownload] = useState<{ url: string; name: string } | null>(null);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const [downloading, setDownloading] = useState(false);
  const [google, setGoogle] = useState<GoogleState>({ kind: 'idle' });

  // A new customer: forget the previous one's download and save link.
  useEffect(() => {
    setValue(customerId ?? '');
    setDownload(null);
    setDownloadError(null);
    setGoogle({ kind: 'idle' });
  }, [customerId]);
  useEffect(() => () => (download ? URL.revokeObjectURL(download.url) : undefined), [download]);

  function submit(e: FormEvent) {
    e.preventDefault();
    onPick(value.trim());
  }

  async function fetchPass() {
    if (!customerId) return;
    setDownloading(true);
    setDownloadError(null);
    try {
      const blob = await api<Blob>('GET', `/v1/customers/${encodeURIComponent(customerId)}/passes/apple`, {
        headers: { Accept: 'application/vnd.apple.pkpass' },
      });
      const url = URL.createObjectURL(blob);
      const name = `${customerId.replace(/[^\w.-]+/g, '_')}.pkpass`;
      setDownload({ url, name });
      // Start the download at once; the link stays for a second try.
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
    } catch (err) {
      setDownloadError(messageOf(err));
    } finally {
      setDownloading(false);
    }
  }

  async function fetchGoogle() {
    if (!customerId) return;
    setGoogle({ kind: 'loading' });
    try {
      const { saveUrl } = await api<{ saveUrl: string }>(
        'GET',
        `/v1/customers/${encodeURIComponent(customerId)}/passes/google`,
      );
      setGoogle({ kind: 'ready', url: saveUrl });
    } catch (err) {
      if (err instanceof ApiError && err.status === 503 && err.code === 'google_wallet_not_configured') {
        setGoogle({ kind: 'off', message: err.message });
      } else setGoogle({ kind: 'error', message: messageOf(err) });
    }
  }

  return (
    <div className="sample-customer">
      <form className="sample-form" onSubmit={submit}>
        <div className={`field${error ? ' has-error' : ''}`}>
          <label htmlFor={`${id}-customer`}>Sample customer ID</label>
          <div className="design-input-row">
            <input
              id={`${id}-customer`}
              value={value}
              placeholder="Built-in sample customer"
              autoComplete="off"
              aria-invalid={error ? true : undefined}
              aria-describedby={`${id}-customer-hint${error ? ` ${id}-customer-error` : ''}`}
              onChange={(e) => setValue(e.target.value)}
            />
            <button type="submit" className="secondary">
              Show customer
            </button>
          </div>
          <div className="hint" id={`${id}-customer-hint`}>
            Preview the pass of one of your customers (their points, tier and member ID). Leave empty for a
            made-up sample.
          </div>
          {error ? (
            <div className="error" id={`${id}-customer-error`} role="alert">
              {error}
            </div>
          ) : null}
        </div>
      </form>
      <div className="sample-actions">
        <button type="button" onClick={fetchPass} disabled={!customerId || downloading}>
          {downloading ? 'Preparing .pkpass…' : 'Download this customer’s .pkpass'}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={fetchGoogle}
          disabled={!customerId || google.kind === 'loading'}
        >
          Get Google Wallet save link
        </button>
      </div>
      {!customerId ? (
        <p className="hint">
          Enter a customer ID to download their real pass or their Google Wallet save link.
        </p>
      ) : (
        <p className="hint">The real passes use the saved design: save first to include your changes.</p>
      )}
      {download ? (
        <p>
          <a href={download.url} download={download.name}>
            Download {download.name} again
          </a>
        </p>
      ) : null}
      {downloadError ? (
        <div className="error" role="alert">
          {downloadError}
        </div>
      ) : null}
      {google.kind === 'ready' ? (
        <p>
          <a href={google.url} target="_blank" rel="noopener noreferrer">
            Open the Google Wallet save link (new tab)
          </a>
        </p>
      ) : google.kind === 'off' ? (
        <p className="banner info" role="status">
          {google.message}. There is no Google save link until it is configured.
        </p>
      ) : google.kind === 'error' ? (
        <div className="error" role="alert">
          {google.message}
        </div>
      ) : null}
    </div>
  );
}
