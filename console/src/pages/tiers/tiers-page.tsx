/** The tier list, lowest → highest: reorder (saved at once with PUT /v1/tiers/order), create, edit. */
import { useEffect, useState } from 'react';
import { api, messageOf } from '../../api/client';
import { useSession } from '../../api/session';
import type { Tier } from '../../api/types';
import { Banner } from '../../components/form-controls';
import { Link } from '../../router';
import { SortableTierList } from './sortable-tier-list';

const RESYNC_NOTE =
  'Every customer is resynced 5 minutes after the last change to the order; further changes within those 5 minutes push the resync back.';

export function TiersPage() {
  const { program } = useSession();
  const [tiers, setTiers] = useState<Tier[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    const ctl = new AbortController();
    api<{ data: Tier[] }>('GET', '/v1/tiers', { signal: ctl.signal }).then(
      (r) => setTiers(r.data),
      (err) => {
        if (!ctl.signal.aborted) setError(messageOf(err));
      },
    );
    return () => ctl.abort();
  }, []);

  async function reorder(ids: string[]) {
    if (!tiers) return;
    const before = tiers;
    const byId = new Map(tiers.map((t) => [t.id, t]));
    setTiers(ids.map((id) => byId.get(id) as Tier));
    setSaving(true);
    setError(null);
    setSaved(null);
    try {
      const r = await api<{ data: Tier[] }>('PUT', '/v1/tiers/order', { body: { tierIds: ids } });
      setTiers(r.data);
      setSaved(`Order saved. ${RESYNC_NOTE}`);
    } catch (err) {
      setTiers(before);
      setError(`The order was not saved: ${messageOf(err)}`);
    } finally {
      setSaving(false);
    }
  }

  return (
    <section>
      <div className="row page-head">
        <h1>Tiers</h1>
        <Link to="/tiers/new" className="button">
          New tier
        </Link>
      </div>
      {program && !program.tiersEnabled ? (
        <Banner kind="info">
          Tiers are turned off for this program: no qualification is evaluated and no benefit applies.{' '}
          <Link to="/settings">Turn them on in the program settings</Link>.
        </Banner>
      ) : null}
      <p className="muted">
        Lowest first. Customers are placed in the highest enabled tier they qualify for. Drag a tier by its
        handle, or focus the handle and use Space and the arrow keys, to change the order. {RESYNC_NOTE}
      </p>
      {error ? <Banner kind="error">{error}</Banner> : null}
      <div aria-live="polite" className={saved && !saving ? 'banner success' : undefined}>
        {saving ? <span className="muted">Saving the order…</span> : saved}
      </div>
      {tiers === null ? (
        error ? null : (
          <p role="status">Loading…</p>
        )
      ) : tiers.length === 0 ? (
        <div className="card">
          <p>No tiers yet. Start with an entry tier everyone gets, then add higher ones.</p>
          <Link to="/tiers/new" className="button">
            Create the first tier
          </Link>
        </div>
      ) : (
        <SortableTierList tiers={tiers} currency={program?.currency ?? 'USD'} onReorder={reorder} />
      )}
    </section>
  );
}
