/**
 * Customers: search by id, email or name prefix as you type (debounced), filter by tier, sort,
 * and page with "Load more" (GET /v1/customers, cursor pages). A table on wide screens, one card
 * per customer on a phone (styles.css, part A).
 */
import { useEffect, useState } from 'react';
import { formatProgramDate } from '../../../../src/domain/tier-change-explanation.js';
import { api } from '../../api/client';
import { useSession } from '../../api/session';
import type { Tier } from '../../api/types';
import { Banner, SelectField, TextField } from '../../components/form-controls';
import { formatMoney } from '../../format/amounts';
import { Link } from '../../router';
import type { CustomerRow } from './customer-types';
import { usePaged } from './use-paged';

const DEBOUNCE_MS = 250;
const PAGE = 25;

/** `value`, once it stopped changing for `ms`. */
function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

export function CustomersPage() {
  const { program } = useSession();
  const currency = program?.currency ?? 'USD';
  const timeZone = program?.timezone ?? 'UTC';
  const [text, setText] = useState('');
  const [tier, setTier] = useState('');
  const [sort, setSort] = useState<'id' | 'newest'>('id');
  const [tiers, setTiers] = useState<Tier[]>([]);
  const query = useDebounced(text.trim(), DEBOUNCE_MS);

  useEffect(() => {
    const ctl = new AbortController();
    api<{ data: Tier[] }>('GET', '/v1/tiers', { signal: ctl.signal }).then(
      (r) => setTiers(r.data),
      () => undefined, // the filter then offers "any" and "no tier" only
    );
    return () => ctl.abort();
  }, []);

  const params = new URLSearchParams({ limit: String(PAGE), sort });
  if (query) params.set('query', query);
  if (tier) params.set('tier', tier);
  const list = usePaged<CustomerRow>(`/v1/customers?${params}`);
  const searching = text.trim() !== query || list.loading;

  return (
    <section>
      <div className="row page-head">
        <h1>Customers</h1>
      </div>
      <div className="customer-filters">
        <TextField
          label="Search"
          type="search"
          value={text}
          placeholder="Id, email or name"
          hint="Matches the start of the customer id, email or name, in any case."
          onChange={(e) => setText(e.target.value)}
        />
        <SelectField label="Tier" value={tier} onChange={(e) => setTier(e.target.value)}>
          <option value="">Any tier</option>
          <option value="none">No tier</option>
          {tiers.map((t) => (
            <option key={t.id} value={t.id}>
              {t.title}
            </option>
          ))}
        </SelectField>
        <SelectField label="Sort" value={sort} onChange={(e) => setSort(e.target.value as 'id' | 'newest')}>
          <option value="id">By id</option>
          <option value="newest">Newest first</option>
        </SelectField>
      </div>
      {list.error ? <Banner kind="error">{list.error}</Banner> : null}
      <p className="muted" aria-live="polite">
        {searching ? 'Searching…' : list.items.length === 0 ? 'No customers match.' : null}
      </p>
      {list.items.length > 0 ? (
        <table className="customer-table" aria-busy={searching}>
          <caption className="visually-hidden">Customers</caption>
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Tier</th>
              <th scope="col">Points</th>
              <th scope="col">Lifetime spend</th>
              <th scope="col">Customer since</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((c) => (
              <tr key={c.id}>
                <td data-label="Customer">
                  <Link to={`/customers/${encodeURIComponent(c.id)}`} className="customer-name">
                    {c.name ?? c.email ?? c.id}
                  </Link>
                  <div className="muted small">{[c.email, c.id].filter(Boolean).join(' · ')}</div>
                </td>
                <td data-label="Tier">
                  {c.tier ? (c.tier.title ?? c.tier.id) : <span className="muted">None</span>}
                </td>
                <td data-label="Points">{c.balances.current.toLocaleString('en-US')}</td>
                <td data-label="Lifetime spend">{formatMoney(c.balances.lifetimeSpend, currency)}</td>
                <td data-label="Customer since">{formatProgramDate(c.createdAt, timeZone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {list.hasMore ? (
        <button type="button" className="secondary" onClick={list.loadMore} disabled={list.loadingMore}>
          {list.loadingMore ? 'Loading…' : 'Load more customers'}
        </button>
      ) : null}
    </section>
  );
}
