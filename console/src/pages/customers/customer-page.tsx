/**
 * One customer: balances, tier and since when, progress to the next tier, what keeps the tier in
 * cycle mode (all computed by the server), actions (adjust, redeem, pass link with QR, export and
 * erasure of personal data), and the history (tier changes explained, ledger, orders with
 * refunds), each paged.
 */
import { useCallback, useEffect, useState } from 'react';
import { formatProgramDate } from '../../../../src/domain/tier-change-explanation.js';
import { ApiError, api, messageOf } from '../../api/client';
import { useSession } from '../../api/session';
import { Banner } from '../../components/form-controls';
import { formatMoney } from '../../format/amounts';
import { Link } from '../../router';
import { LedgerTable, OrdersList, TierHistory } from './customer-activity';
import type { Customer, LedgerEntry, Order, TierChange } from './customer-types';
import { PassLinkPanel } from './pass-link-panel';
import { PointsForm } from './points-forms';
import { PrivacyPanel } from './privacy-panel';
import { usePaged } from './use-paged';

function Balances({ c, currency }: { c: Customer; currency: string }) {
  const items: [string, string][] = [
    ['Points', c.balances.current.toLocaleString('en-US')],
    ['Carry (this cycle)', c.balances.carry.toLocaleString('en-US')],
    ['Lifetime points', c.balances.lifetimeEarned.toLocaleString('en-US')],
    ['Lifetime spend', formatMoney(c.balances.lifetimeSpend, currency)],
  ];
  return (
    <dl className="balances" aria-label="Balances">
      {items.map(([label, value]) => (
        <div key={label} className="balance">
          <dt>{label}</dt>
          <dd data-balance={label}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function TierCard({ c, timeZone }: { c: Customer; timeZone: string }) {
  return (
    <section className="card" aria-labelledby="tier-title">
      <h2 id="tier-title">Tier</h2>
      <p className="tier-now">
        {c.tier ? (
          <>
            <strong>{c.tier.title}</strong> since {formatProgramDate(c.tierSince, timeZone)}
            {c.tier.visible ? null : <span className="badge">Hidden</span>}
          </>
        ) : (
          'No tier'
        )}
        {c.multiplier !== 1 ? ` · earns ${c.multiplier}×` : null}
      </p>
      <p>
        <span className="muted">Next tier: </span>
        {c.progress.nextTierId === null
          ? 'none above this one.'
          : (c.progress.headline ?? 'every condition is met; the move happens with the next event or sync.')}
      </p>
      {c.keep ? (
        <p className={c.keep.met ? 'keep met' : 'keep'}>
          <span className="muted">Next cycle boundary: </span>
          {c.keep.headline}
        </p>
      ) : null}
    </section>
  );
}

export function CustomerPage({ customerId }: { customerId: string }) {
  const { program } = useSession();
  const zone = { currency: program?.currency ?? 'USD', timeZone: program?.timezone ?? 'UTC' };
  const [customer, setCustomer] = useState<Customer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const base = `/v1/customers/${encodeURIComponent(customerId)}`;
  const history = usePaged<TierChange>(`${base}/tier-history?limit=10`);
  const ledger = usePaged<LedgerEntry>(`${base}/ledger?limit=20`);
  const orders = usePaged<Order>(`${base}/orders?limit=10`);

  const load = useCallback(
    (signal?: AbortSignal) =>
      api<Customer>('GET', base, { signal }).then(
        (c) => setCustomer(c),
        (err) => {
          if (signal?.aborted) return;
          setError(
            err instanceof ApiError && err.status === 404
              ? `There is no customer ${customerId}.`
              : messageOf(err),
          );
        },
      ),
    [base, customerId],
  );

  useEffect(() => {
    const ctl = new AbortController();
    load(ctl.signal);
    return () => ctl.abort();
  }, [load]);

  const applied = useCallback(() => {
    load();
    ledger.reload();
    history.reload();
  }, [load, ledger.reload, history.reload]);

  if (error) {
    return (
      <section>
        <h1>Customer</h1>
        <Banner kind="error">{error}</Banner>
        <Link to="/customers">Back to customers</Link>
      </section>
    );
  }
  if (!customer) return <p role="status">Loading the customer…</p>;
  return (
    <section className="customer-page">
      <p>
        <Link to="/customers">← Customers</Link>
      </p>
      <h1>{customer.name ?? customer.email ?? customer.id}</h1>
      <p className="muted">
        {[customer.email, `id ${customer.id}`].filter(Boolean).join(' · ')} · customer since{' '}
        {formatProgramDate(customer.createdAt, zone.timeZone)}
      </p>
      <Balances c={customer} currency={zone.currency} />
      <div className="customer-grid">
        <TierCard c={customer} timeZone={zone.timeZone} />
        <PassLinkPanel customerId={customer.id} />
        <PointsForm kind="adjust" customerId={customer.id} onApplied={applied} />
        <PointsForm kind="redeem" customerId={customer.id} onApplied={applied} />
        <PrivacyPanel customerId={customer.id} onRedacted={applied} />
      </div>
      <TierHistory list={history} />
      <OrdersList list={orders} zone={zone} />
      <LedgerTable list={ledger} zone={zone} />
    </section>
  );
}
