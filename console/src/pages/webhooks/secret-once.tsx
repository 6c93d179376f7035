/** A new subscription's signing secret, shown once: copy it, then it is dropped from the page. */
import { CopyValue } from '../../components/copy-value';
import { Banner } from '../../components/form-controls';
import type { CreatedSubscription } from './webhook-types';

export function SecretOnce({ created, onDone }: { created: CreatedSubscription; onDone(): void }) {
  return (
    <section className="card secret-once" aria-labelledby="secret-once-title">
      <h2 id="secret-once-title">Webhook added: store its signing secret</h2>
      <Banner kind="info">
        <strong>Copy the signing secret now: it will not be shown again.</strong> Your endpoint checks the{' '}
        <code>Tierpass-Signature</code> header of each event with it (HMAC-SHA256 of{' '}
        <code>&lt;t&gt;.&lt;raw body&gt;</code>).
      </Banner>
      <p className="url-text">{created.url}</p>
      <CopyValue label="Signing secret" value={created.secret} copyLabel="Copy signing secret">
        <button type="button" onClick={onDone}>
          I have stored it
        </button>
      </CopyValue>
    </section>
  );
}
