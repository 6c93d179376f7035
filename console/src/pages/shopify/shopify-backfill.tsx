/**
 * "Import history": POST /v1/integrations/shopify/backfill imports the shop's customers and orders
 * since a date in the background (docs/shopify.md); the bar follows GET …/backfill until it is
 * done or failed, and shows an earlier backfill's outcome when the page opens.
 */
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiError, api, messageOf } from '../../api/client';
import { Banner, TextField } from '../../components/form-controls';
import { ProgressBar } from '../../components/progress-bar';

const POLL_MS = 500;

interface Backfill {
  id: string;
  state: 'running' | 'resyncing' | 'done' | 'failed';
  phase: 'customers' | 'orders' | 'resync' | 'done';
  since: string;
  progress: number;
  customers: { done: number };
  orders: {
    done: number;
    skipped: number;
    estimatedTotal: number | null;
    /** Page by page, or one bulk export Shopify prepares first (a large shop). */
    mode: 'paged' | 'bulk' | null;
    export: { status: string | null; preparing: boolean; orders: number } | null;
  };
  refunds: { done: number };
  errors: { count: number; last: string | null };
}

const open = (b: Backfill | null) => b !== null && (b.state === 'running' || b.state === 'resyncing');

const preparing = (b: Backfill) => b.phase === 'orders' && b.orders.export?.preparing === true;

function detail(b: Backfill): string {
  if (preparing(b)) {
    const counted = b.orders.export?.orders ?? 0;
    return `${counted.toLocaleString()} orders exported so far · ${b.customers.done.toLocaleString()} customers`;
  }
  const read = b.orders.done + b.orders.skipped;
  const orders =
    b.orders.estimatedTotal !== null
      ? `${read.toLocaleString()} of ~${b.orders.estimatedTotal.toLocaleString()} orders`
      : `${read.toLocaleString()} orders`;
  return `${orders} · ${b.customers.done.toLocaleString()} customers`;
}

function stateText(b: Backfill): string {
  const errors = b.errors.count > 0 ? ` ${b.errors.count} skipped with errors (last: ${b.errors.last}).` : '';
  if (b.state === 'done') {
    return `Done: ${b.orders.done.toLocaleString()} orders earned, ${b.refunds.done.toLocaleString()} refunds and cancellations applied, every customer re-evaluated.${errors}`;
  }
  if (b.state === 'failed')
    return `Failed (${b.errors.last ?? 'unknown error'}). Start it again: nothing counts twice.`;
  if (b.phase === 'customers') return 'Importing customers…';
  if (preparing(b)) return 'Shopify is preparing the export of your orders…';
  if (b.phase === 'orders') return `Importing orders…${errors}`;
  return 'Re-evaluating every customer’s tier…';
}

export function ShopifyBackfill() {
  const [since, setSince] = useState('');
  const [backfill, setBackfill] = useState<Backfill | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const [starting, setStarting] = useState(false);

  const load = useCallback(async () => {
    try {
      setBackfill(await api<Backfill>('GET', '/v1/integrations/shopify/backfill'));
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) setError(messageOf(err));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const running = open(backfill);
  useEffect(() => {
    if (!running) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      await load();
      if (!stop) timer = setTimeout(poll, POLL_MS);
    };
    timer = setTimeout(poll, POLL_MS);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [running, load]);

  async function start(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(since)) {
      setFieldError('Choose the first day to import.');
      return;
    }
    setFieldError(undefined);
    setStarting(true);
    try {
      setBackfill(
        await api<Backfill>('POST', '/v1/integrations/shopify/backfill', {
          body: { since: `${since}T00:00:00Z` },
        }),
      );
    } catch (err) {
      if (err instanceof ApiError && err.code === 'backfill_since_invalid') setFieldError(err.message);
      else setError(`The import did not start: ${messageOf(err)}`);
    } finally {
      setStarting(false);
    }
  }

  return (
    <form className="card" aria-labelledby="backfill-title" onSubmit={start} noValidate>
      <h2 id="backfill-title">Import history</h2>
      <p className="muted">
        Imports the shop’s customers and paid orders (with their refunds and cancellations) since a date, then
        re-evaluates every customer. Orders older than 60 days need the read_all_orders scope. Orders that
        already arrived by webhook are not counted twice.
      </p>
      <TextField
        label="Import orders since"
        type="date"
        value={since}
        error={fieldError}
        onChange={(e) => setSince(e.target.value)}
      />
      <button type="submit" disabled={starting || running}>
        {running ? 'Import running…' : starting ? 'Starting…' : 'Start import'}
      </button>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {backfill ? (
        <div className="sync-progress">
          <ProgressBar
            label="History import"
            value={Math.round(backfill.progress * 100)}
            max={100}
            complete={backfill.state === 'done'}
            detail={detail(backfill)}
            outcome={backfill.state === 'done' || backfill.state === 'failed' ? backfill.state : undefined}
          />
          <p role="status" className="sync-state">
            {stateText(backfill)}
          </p>
        </div>
      ) : null}
    </form>
  );
}
