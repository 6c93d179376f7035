/**
 * One subscription: its settings and state (enable when disabled), "Send test event", "Rotate
 * secret" (the new one shown once; docs/decisions/0041), and its
 * delivery log with status codes and errors, paged, with a redeliver button per delivery. A test
 * event or a redelivery is followed in the log until its attempt is recorded.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, messageOf } from '../../api/client';
import { useSession } from '../../api/session';
import { Banner } from '../../components/form-controls';
import { formatInstant } from '../../format/instants';
import { Link } from '../../router';
import { DeliveryLog } from './delivery-log';
import { RotateSecret } from './rotate-secret';
import { SubscriptionState } from './subscription-card';
import { useDeliveryLog, type Watch } from './use-delivery-log';
import type { Delivery, Subscription } from './webhook-types';

function Outcome({ watch }: { watch: Watch }) {
  const d = watch.result;
  if (!d) {
    return (
      <Banner kind="info">
        {watch.label} (delivery #{watch.deliveryId}) has not been attempted yet; it stays in the log below.
      </Banner>
    );
  }
  if (d.state === 'delivered') {
    return (
      <Banner kind="success">
        {watch.label} delivered: HTTP {d.lastStatus} (delivery #{d.id}).
      </Banner>
    );
  }
  const retry = d.state === 'pending' ? ' It will be retried.' : '';
  return (
    <Banner kind="error">
      {watch.label} failed: {d.lastError ?? `HTTP ${d.lastStatus}`} (delivery #{d.id}).{retry}
    </Banner>
  );
}

/** The way back to the list and the page's heading, shown while loading too. */
function PageHead() {
  return (
    <>
      <p>
        <Link to="/webhooks">← All webhooks</Link>
      </p>
      <h1>Webhook deliveries</h1>
    </>
  );
}

export function WebhookPage({ webhookId }: { webhookId: string }) {
  const { program } = useSession();
  const [sub, setSub] = useState<Subscription | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const log = useDeliveryLog(webhookId);
  const path = `/v1/webhooks/${encodeURIComponent(webhookId)}`;

  const loadSub = useCallback(
    (signal?: AbortSignal) =>
      api<Subscription>('GET', path, { signal }).then(setSub, (err) => {
        if (!signal?.aborted) setError(messageOf(err));
      }),
    [path],
  );
  useEffect(() => {
    const ctl = new AbortController();
    loadSub(ctl.signal);
    return () => ctl.abort();
  }, [loadSub]);
  // Loaded again once a followed delivery was attempted: a 410 Gone disables the subscription.
  const settled = log.watch !== null && !log.waiting;
  useEffect(() => {
    if (settled) loadSub();
  }, [settled, loadSub]);

  async function run(what: string, call: () => Promise<void>) {
    setBusy(what);
    setError(null);
    try {
      await call();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(null);
    }
  }

  const sendTest = () =>
    run('test', async () => log.follow(await api<Delivery>('POST', `${path}/test`), 'Test event'));
  const redeliver = (d: Delivery) =>
    run(`redeliver-${d.id}`, async () =>
      log.follow(
        await api<Delivery>('POST', `${path}/deliveries/${d.id}/redeliver`),
        `Redelivery of #${d.id}`,
      ),
    );
  const enable = () =>
    run('enable', async () => {
      setSub(await api<Subscription>('POST', `${path}/enable`));
      await log.reload();
    });

  if (!sub) {
    return (
      <section>
        <PageHead />
        {error ? <Banner kind="error">{error}</Banner> : <p role="status">Loading…</p>}
      </section>
    );
  }

  return (
    <section>
      <PageHead />
      <div className="card webhook-summary">
        <p className="url-text">
          <strong>{sub.url}</strong>
        </p>
        <div className="webhook-meta">
          <SubscriptionState sub={sub} />
        </div>
        <p className="muted">
          Events: {sub.events.join(', ')} · {sub.format === 'klaviyo' ? 'Klaviyo' : 'Standard'} format
        </p>
        <div className="row">
          {sub.state === 'disabled' ? (
            <button type="button" disabled={busy !== null} onClick={enable}>
              Enable
            </button>
          ) : null}
          <button
            type="button"
            className="secondary"
            disabled={busy !== null || log.waiting || sub.state !== 'enabled'}
            onClick={sendTest}
          >
            {busy === 'test' ? 'Sending…' : 'Send test event'}
          </button>
        </div>
        <p className="hint">
          A test event is a signed <code>ping</code> (whatever events are chosen), attempted once; it shows in
          the log below with the status code your endpoint answered.
          {sub.state !== 'enabled' ? ' Enable the webhook to send one.' : ''}
        </p>
        {sub.previousSecretExpiresAt ? (
          <p className="hint">
            Secret rotated: events are signed with the previous secret too until{' '}
            {formatInstant(sub.previousSecretExpiresAt, program?.timezone)}.
          </p>
        ) : null}
      </div>
      <RotateSecret sub={sub} onRotated={setSub} />
      {error ? <Banner kind="error">{error}</Banner> : null}
      <div aria-live="polite">
        {log.waiting && log.watch ? (
          <div className="watching">
            <label htmlFor="watch-progress">
              {log.watch.label}: waiting for the attempt (delivery #{log.watch.deliveryId})…
            </label>
            <progress id="watch-progress" />
          </div>
        ) : log.watch ? (
          <Outcome watch={log.watch} />
        ) : null}
      </div>
      <h2>Deliveries</h2>
      {log.error ? <Banner kind="error">{log.error}</Banner> : null}
      {log.page === null ? (
        log.error ? null : (
          <p role="status">Loading…</p>
        )
      ) : log.page.data.length === 0 ? (
        <p className="card">No deliveries yet. Send a test event to try the endpoint.</p>
      ) : (
        <DeliveryLog deliveries={log.page.data} busy={busy} onRedeliver={redeliver} />
      )}
      <nav className="row actions" aria-label="Delivery pages">
        <button type="button" className="secondary" disabled={log.isFirst} onClick={log.newer}>
          Newer deliveries
        </button>
        <button type="button" className="secondary" disabled={!log.page?.nextCursor} onClick={log.older}>
          Older deliveries
        </button>
      </nav>
    </section>
  );
}
