/**
 * Webhook subscriptions: the list with each one's state (and why a disabled one stopped), add
 * one (its signing secret shown once), enable a disabled one, delete with confirmation.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, messageOf } from '../../api/client';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Banner } from '../../components/form-controls';
import { SecretOnce } from './secret-once';
import { SubscribeForm } from './subscribe-form';
import { SubscriptionCard } from './subscription-card';
import type { CreatedSubscription, Subscription } from './webhook-types';

export function WebhooksPage() {
  const [subs, setSubs] = useState<Subscription[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedSubscription | null>(null);
  const [deleting, setDeleting] = useState<Subscription | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      setSubs((await api<{ data: Subscription[] }>('GET', '/v1/webhooks', { signal })).data);
    } catch (err) {
      if (!signal?.aborted) setError(messageOf(err));
    }
  }, []);

  useEffect(() => {
    const ctl = new AbortController();
    load(ctl.signal);
    return () => ctl.abort();
  }, [load]);

  async function act(id: string, what: () => Promise<unknown>, done: string) {
    setBusy(id);
    setError(null);
    setNotice(null);
    try {
      await what();
      setNotice(done);
      await load();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(null);
    }
  }

  async function remove() {
    const sub = deleting;
    if (!sub) return;
    await act(
      sub.id,
      () => api('DELETE', `/v1/webhooks/${encodeURIComponent(sub.id)}`),
      `Deleted the webhook to ${sub.url}.`,
    );
    setDeleting(null);
  }

  return (
    <section>
      <h1>Webhooks</h1>
      <p className="muted">
        Tier changes, tag changes and downgrade warnings are POSTed to your endpoints as signed JSON, in order
        per customer, and retried with backoff for 3 days. An endpoint that fails for 3 days, or answers 410
        Gone, is disabled until you enable it again.
      </p>
      {error ? <Banner kind="error">{error}</Banner> : null}
      <div aria-live="polite">{notice ? <Banner kind="success">{notice}</Banner> : null}</div>
      {created ? (
        <SecretOnce
          created={created}
          onDone={() => {
            // The secret leaves the page's state here and is never fetched again.
            setCreated(null);
          }}
        />
      ) : null}
      <h2>Subscriptions</h2>
      {subs === null ? (
        error ? null : (
          <p role="status">Loading…</p>
        )
      ) : subs.length === 0 ? (
        <p className="card">No webhooks yet. Add an endpoint below to receive events.</p>
      ) : (
        <ul className="plain webhook-list">
          {subs.map((sub) => (
            <SubscriptionCard
              key={sub.id}
              sub={sub}
              busy={busy === sub.id}
              onEnable={() =>
                act(
                  sub.id,
                  () => api('POST', `/v1/webhooks/${encodeURIComponent(sub.id)}/enable`),
                  `Enabled the webhook to ${sub.url}; its waiting events resume.`,
                )
              }
              onDelete={() => setDeleting(sub)}
            />
          ))}
        </ul>
      )}
      {created ? null : (
        <SubscribeForm
          onCreated={(c) => {
            setCreated(c);
            setNotice(null);
            load();
          }}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this webhook?"
        confirmLabel="Delete webhook"
        busy={busy !== null}
        onConfirm={remove}
        onCancel={() => setDeleting(null)}
      >
        <p>
          Events stop going to <strong className="url-text">{deleting?.url}</strong> at once; deliveries still
          waiting are dropped. Its delivery log is no longer shown. This cannot be undone: to receive events
          again, add the endpoint anew (with a new secret).
        </p>
      </ConfirmDialog>
    </section>
  );
}
