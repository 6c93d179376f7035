/** The customer's history: tier changes explained in plain words, the ledger, orders with refunds. */
import { formatProgramDate } from '../../../../src/domain/tier-change-explanation.js';
import { Banner } from '../../components/form-controls';
import { formatMoney } from '../../format/amounts';
import type { LedgerEntry, Order, TierChange } from './customer-types';
import type { PagedList } from './use-paged';

interface Zone {
  currency: string;
  timeZone: string;
}

function More<T>({ list, what }: { list: PagedList<T>; what: string }) {
  if (!list.hasMore) return null;
  return (
    <button type="button" className="secondary" onClick={list.loadMore} disabled={list.loadingMore}>
      {list.loadingMore ? 'Loading…' : `Load more ${what}`}
    </button>
  );
}

function Status<T>({ list, empty }: { list: PagedList<T>; empty: string }) {
  if (list.error) return <Banner kind="error">{list.error}</Banner>;
  if (list.loading && list.items.length === 0) return <p role="status">Loading…</p>;
  if (list.items.length === 0) return <p className="muted">{empty}</p>;
  return null;
}

export function TierHistory({ list }: { list: PagedList<TierChange> }) {
  return (
    <section className="card" aria-labelledby="tier-history-title">
      <h2 id="tier-history-title">Tier history</h2>
      <Status list={list} empty="No tier changes yet." />
      <ol className="tier-history">
        {list.items.map((t) => (
          <li key={t.id} className={`tier-change ${t.direction}`}>
            <span className="visually-hidden">{t.direction === 'up' ? 'Up: ' : 'Down: '}</span>
            {t.explanation}
          </li>
        ))}
      </ol>
      <More list={list} what="tier changes" />
    </section>
  );
}

const ENTRY_WORDS: Record<LedgerEntry['type'], string> = {
  earn: 'Earned',
  bonus: 'Tier bonus',
  redeem: 'Redeemed',
  adjust: 'Adjusted',
  refund_reversal: 'Refund',
  carry_reset: 'Cycle reset',
};

export function LedgerTable({ list, zone }: { list: PagedList<LedgerEntry>; zone: Zone }) {
  return (
    <section className="card" aria-labelledby="ledger-title">
      <h2 id="ledger-title">Ledger</h2>
      <Status list={list} empty="No entries yet." />
      {list.items.length > 0 ? (
        <div className="table-scroll">
          <table className="ledger-table">
            <caption className="visually-hidden">Ledger entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">What</th>
                <th scope="col">Points</th>
                <th scope="col">Carry</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((e) => (
                <tr key={e.id ?? e.key}>
                  <td>{formatProgramDate(e.at, zone.timeZone)}</td>
                  <td>
                    {ENTRY_WORDS[e.type]}
                    {e.orderId ? ` · order ${e.orderId}` : e.reason ? ` · ${e.reason}` : ''}
                  </td>
                  <td>{signed(e.delta.current)}</td>
                  <td>{signed(e.delta.carry)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <More list={list} what="entries" />
    </section>
  );
}

function signed(n: number): string {
  return `${n > 0 ? '+' : ''}${n.toLocaleString('en-US')}`;
}

export function OrdersList({ list, zone }: { list: PagedList<Order>; zone: Zone }) {
  const money = (n: number) => formatMoney(n, zone.currency);
  return (
    <section className="card" aria-labelledby="orders-title">
      <h2 id="orders-title">Orders</h2>
      <Status list={list} empty="No orders yet." />
      <ul className="orders">
        {list.items.map((o) => (
          <li key={o.id}>
            <div className="row">
              <strong>Order {o.id}</strong>
              <span>{formatProgramDate(o.placedAt, zone.timeZone)}</span>
              <span>{money(o.amount)}</span>
              <span className="muted">{o.pointsAwarded.toLocaleString('en-US')} points</span>
            </div>
            {o.refunds.length > 0 ? (
              <ul className="refunds">
                {o.refunds.map((r) => (
                  <li key={r.id}>
                    Refund {r.id}: {money(r.amount)} on {formatProgramDate(r.createdAt, zone.timeZone)}
                  </li>
                ))}
                <li className="muted">
                  Net {money(o.netAmount)}, {o.pointsReversed.toLocaleString('en-US')} points reversed
                </li>
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
      <More list={list} what="orders" />
    </section>
  );
}
