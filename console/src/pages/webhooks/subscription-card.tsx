/** One subscription in the list: URL, events, format, state (and why it is disabled), actions. */
import { useId } from 'react';
import { useSession } from '../../api/session';
import { formatInstant } from '../../format/instants';
import { Link } from '../../router';
import type { Subscription } from './webhook-types';

export function SubscriptionState({ sub }: { sub: Subscription }) {
  const { program } = useSession();
  if (sub.state === 'enabled') return <span className="pill">Enabled</span>;
  return (
    <>
      <span className="pill off">Disabled</span>
      <p className="disabled-reason">
        Disabled{sub.disabledAt ? ` on ${formatInstant(sub.disabledAt, program?.timezone)}` : ''}:{' '}
        {sub.disabledReason ?? 'no reason recorded'}. Events are kept and resume, in order, once it is
        enabled.
      </p>
    </>
  );
}

export function SubscriptionCard({
  sub,
  busy,
  onEnable,
  onDelete,
}: {
  sub: Subscription;
  busy: boolean;
  onEnable(): void;
  onDelete(): void;
}) {
  const titleId = useId();
  return (
    <li className="card webhook-card" aria-labelledby={titleId}>
      <h3 id={titleId} className="url-text">
        {sub.url}
      </h3>
      <div className="webhook-meta">
        <SubscriptionState sub={sub} />
        <span className="pill off">{sub.format === 'klaviyo' ? 'Klaviyo format' : 'Standard format'}</span>
      </div>
      <p className="muted">Events: {sub.events.join(', ')}</p>
      <div className="row">
        <Link
          to={`/webhooks/${encodeURIComponent(sub.id)}`}
          className="button secondary"
          aria-describedby={titleId}
        >
          Deliveries
        </Link>
        {sub.state === 'disabled' ? (
          <button type="button" disabled={busy} onClick={onEnable} aria-describedby={titleId}>
            Enable
          </button>
        ) : null}
        <button type="button" className="danger" onClick={onDelete} aria-describedby={titleId}>
          Delete
        </button>
      </div>
    </li>
  );
}
