/**
 * The customer's shopper pass link (GET /v1/customers/:id/passes/link): shown, copied with one
 * click, and drawn as a QR code (the server's own `qrSvg`, uqr) to scan with a phone.
 */
import { useEffect, useState } from 'react';
import { qrSvg } from '../../../../src/features/passes/pass-face-svg.js';
import { api, messageOf } from '../../api/client';
import { Banner } from '../../components/form-controls';

const QR_SIZE = 240;

export function PassLinkPanel({ customerId }: { customerId: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    const ctl = new AbortController();
    api<{ url: string }>('GET', `/v1/customers/${encodeURIComponent(customerId)}/passes/link`, {
      signal: ctl.signal,
    }).then(
      (r) => setUrl(r.url),
      (err) => {
        if (!ctl.signal.aborted) setError(messageOf(err));
      },
    );
    return () => ctl.abort();
  }, [customerId]);

  async function copy() {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      setError('The browser did not allow copying; select the link and copy it by hand.');
    }
  }

  return (
    <section className="card" aria-labelledby="pass-link-title">
      <h2 id="pass-link-title">Wallet pass</h2>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {url ? (
        <>
          <p className="muted">The shopper opens this link to add the pass to Apple or Google Wallet.</p>
          <div className="row pass-link-row">
            <input
              readOnly
              value={url}
              aria-label="Pass link"
              className="pass-link"
              onFocus={(e) => e.target.select()}
            />
            <button type="button" onClick={copy}>
              Copy link
            </button>
          </div>
          <p aria-live="polite" className="muted small">
            {copied ? 'Link copied.' : null}
          </p>
          <svg
            className="pass-qr"
            role="img"
            aria-label="QR code of the pass link"
            viewBox={`0 0 ${QR_SIZE} ${QR_SIZE}`}
            width={QR_SIZE}
            height={QR_SIZE}
            // Drawn from the link by the server's own encoder: numbers only, no text of the link.
            // biome-ignore lint/security/noDangerouslySetInnerHtml: generated path data, no input text
            dangerouslySetInnerHTML={{ __html: qrSvg(url, 0, 0, QR_SIZE) }}
          />
        </>
      ) : error ? null : (
        <p role="status">Loading the pass link…</p>
      )}
    </section>
  );
}
