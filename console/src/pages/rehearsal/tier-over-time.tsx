/**
 * A customer's tier over time: their tier changes oldest first as steps (from → to, when, why),
 * from GET /v1/customers/{id}/tier-history, which names each tier and explains each change.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api, messageOf } from '../../api/client';
import type { TierChange } from '../../api/types';
import { Banner, TextField } from '../../components/form-controls';
import { formatInZone } from '../../format/instants';

interface Customer {
  id: string;
  tier: { id: string; title: string } | null;
  tierSince: string;
}

interface Loaded {
  customer: Customer;
  steps: TierChange[];
}

function title(tier: TierChange['toTier']) {
  if (!tier) return 'No tier';
  const name = tier.title ?? tier.id;
  return tier.deleted ? `${name} (deleted)` : name;
}

const HISTORY_LIMIT = 200;

export function TierOverTime({ timezone, reload }: { timezone: string; reload: number }) {
  const [customerId, setCustomerId] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: read again after each advance
  useEffect(() => {
    if (!shown) return;
    const ctl = new AbortController();
    const id = encodeURIComponent(shown);
    Promise.all([
      api<Customer>('GET', `/v1/customers/${id}`, { signal: ctl.signal }),
      api<{ data: TierChange[] }>('GET', `/v1/customers/${id}/tier-history?limit=${HISTORY_LIMIT}`, {
        signal: ctl.signal,
      }),
    ]).then(
      ([customer, history]) => {
        setError(null);
        setLoaded({
          customer,
          steps: [...history.data].reverse(),
        });
      },
      (err) => {
        if (ctl.signal.aborted) return;
        setLoaded(null);
        setError(
          err instanceof ApiError && err.status === 404 ? `No customer with id ${shown}.` : messageOf(err),
        );
      },
    );
    return () => ctl.abort();
  }, [shown, reload]);

  function submit(e: FormEvent) {
    e.preventDefault();
    const id = customerId.trim();
    if (id) setShown(id);
  }

  return (
    <section className="card" aria-labelledby="tier-time-title">
      <h2 id="tier-time-title">A customer's tier over time</h2>
      <form onSubmit={submit} className="row tier-time-form">
        <TextField label="Customer id" value={customerId} onChange={(e) => setCustomerId(e.target.value)} />
        <button type="submit">Show tier history</button>
      </form>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {loaded ? (
        <div aria-live="polite">
          <p>
            <strong>{loaded.customer.id}</strong> is in{' '}
            <strong>{loaded.customer.tier ? loaded.customer.tier.title : 'no tier'}</strong> since{' '}
            <time dateTime={loaded.customer.tierSince}>
              {formatInZone(loaded.customer.tierSince, timezone)}
            </time>
            .
          </p>
          {loaded.steps.length === 0 ? (
            <p className="muted">No tier changes yet.</p>
          ) : (
            <ol className="tier-steps" aria-label={`Tier changes of ${loaded.customer.id}, oldest first`}>
              {loaded.steps.map((s) => (
                <li key={s.id} className={`tier-step ${s.direction}`}>
                  <time dateTime={s.at}>{formatInZone(s.at, timezone)}</time>
                  <div className="tier-step-move">
                    {title(s.fromTier)} → <strong>{title(s.toTier)}</strong>{' '}
                    <span className="muted">({s.direction === 'up' ? 'moved up' : 'moved down'})</span>
                  </div>
                  <div className="muted">{s.explanation}</div>
                </li>
              ))}
            </ol>
          )}
        </div>
      ) : null}
    </section>
  );
}
