/** The delivery log table: event, result with status code, attempts, error, next attempt; redeliver. */
import { useSession } from '../../api/session';
import { formatInstant } from '../../format/instants';
import { eventLabel } from './event-labels';
import type { Delivery } from './webhook-types';

const STATE_TEXT: Record<Delivery['state'], string> = {
  pending: 'Pending',
  delivered: 'Delivered',
  failed: 'Failed',
};

export function DeliveryLog({
  deliveries,
  busy,
  onRedeliver,
}: {
  deliveries: Delivery[];
  busy: string | null;
  onRedeliver(d: Delivery): void;
}) {
  const { program } = useSession();
  const at = (iso: string) => formatInstant(iso, program?.timezone);
  return (
    <table className="log-table">
      <caption className="visually-hidden">Deliveries, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Delivery</th>
          <th scope="col">Event</th>
          <th scope="col">Result</th>
          <th scope="col">Attempts</th>
          <th scope="col">Error</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((d) => (
          <tr key={d.id} data-delivery-id={d.id}>
            <td data-label="Delivery">
              <div>
                #{d.id}
                <div className="muted">{at(d.createdAt)}</div>
                {d.redeliveryOf ? <div className="muted">Redelivery of #{d.redeliveryOf}</div> : null}
              </div>
            </td>
            <td data-label="Event">
              <div>
                {eventLabel(d.eventType)}
                <div className="muted">{d.customerId ? `Customer ${d.customerId}` : d.eventId}</div>
              </div>
            </td>
            <td data-label="Result">
              <div>
                <span className={`pill state-${d.state}`}>{STATE_TEXT[d.state]}</span>{' '}
                {d.lastStatus === null ? null : <span className="status-code">HTTP {d.lastStatus}</span>}
              </div>
            </td>
            <td data-label="Attempts">
              <div>
                {d.attempts.length === 0 ? (
                  'None yet'
                ) : (
                  <details>
                    <summary>
                      {d.attempts.length} attempt{d.attempts.length === 1 ? '' : 's'}
                    </summary>
                    <ol className="attempts">
                      {d.attempts.map((a) => (
                        <li key={a.at + String(a.status)}>
                          {at(a.at)}: {a.status === null ? 'no answer' : `HTTP ${a.status}`}
                          {a.error && a.error !== `HTTP ${a.status}` ? ` (${a.error})` : ''}, {a.durationMs}{' '}
                          ms
                        </li>
                      ))}
                    </ol>
                  </details>
                )}
                {d.nextAttemptAt ? <div className="muted">Next: {at(d.nextAttemptAt)}</div> : null}
              </div>
            </td>
            <td data-label="Error" className="error-text">
              <div>{d.lastError ?? '—'}</div>
            </td>
            <td>
              <button
                type="button"
                className="secondary"
                disabled={busy !== null}
                onClick={() => onRedeliver(d)}
                aria-label={`Redeliver #${d.id}`}
              >
                Redeliver
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
