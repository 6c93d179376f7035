/**
 * The Shopify page's segments (docs/decisions/0048): the segments the tiers' `segment`
 * qualifications name, whether the shop has each, its member count and last sync; "Sync
 * segments now" starts a sync and a progress bar follows it until it is done or failed.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, messageOf } from '../../api/client';
import { Banner } from '../../components/form-controls';
import { ProgressBar } from '../../components/progress-bar';
import { formatInstant } from '../../format/instants';

interface SegmentSync {
  state: 'running' | 'done' | 'failed';
  trigger: 'manual' | 'schedule';
  startedAt: string;
  finishedAt: string | null;
  progress: {
    percent: number;
    segmentsTotal: number;
    segmentsDone: number;
    membersRead: number;
    customersChanged: number;
    customersEvaluated: number;
  };
  warnings: string[];
  error: string | null;
}

interface SegmentStatus {
  segments: {
    label: string;
    tiers: { id: string; title: string }[];
    found: boolean | null;
    name: string | null;
    memberCount: number | null;
    syncedAt: string | null;
  }[];
  warnings: string[];
  everyMinutes: number;
  sync: SegmentSync | null;
}

const POLL_MS = 500;

export function ShopifySegmentsCard() {
  const [status, setStatus] = useState<SegmentStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const running = status?.sync?.state === 'running';

  const load = useCallback(async () => {
    try {
      setStatus(await api<SegmentStatus>('GET', '/v1/integrations/shopify/segments'));
    } catch (err) {
      setError(messageOf(err));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // While a sync runs, follow it: each answer schedules the next look.
  useEffect(() => {
    if (status?.sync?.state !== 'running') return;
    const timer = setTimeout(() => void load(), POLL_MS);
    return () => clearTimeout(timer);
  }, [status, load]);

  async function start() {
    setError(null);
    setStarting(true);
    try {
      setStatus(await api<SegmentStatus>('POST', '/v1/integrations/shopify/segments/sync'));
    } catch (err) {
      setError(`The sync did not start: ${messageOf(err)}`);
    } finally {
      setStarting(false);
    }
  }

  const sync = status?.sync ?? null;
  return (
    <section className="card" aria-labelledby="segments-title">
      <h2 id="segments-title">Customer segments</h2>
      <p className="muted">
        Tiers with a segment qualification follow the shop's customer segments (named as in Shopify). Their
        members are read every {status?.everyMinutes ?? 60} minutes; customers who joined or left a segment
        are re-evaluated.
      </p>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {status && status.warnings.length > 0 ? (
        <Banner kind="error">
          {status.warnings.join('. ')}. Tiers that need it cannot be reached until the segment exists in
          Shopify (or the qualification names one that does).
        </Banner>
      ) : null}
      {status === null && !error ? <p>Loading…</p> : null}
      {status && status.segments.length === 0 ? <p>No tier has a segment qualification.</p> : null}
      {status && status.segments.length > 0 ? (
        // Stacked rows at phone width (no sideways scroll), a table from 700 px.
        <table className="data-table segments stacked-table">
          <caption>Segments the tiers use</caption>
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col">Tiers</th>
              <th scope="col">In the shop</th>
              <th scope="col">Members</th>
              <th scope="col">Last sync</th>
            </tr>
          </thead>
          <tbody>
            {status.segments.map((s) => (
              <tr key={s.label}>
                <th scope="row" data-label="Segment">
                  {s.name && s.name !== s.label ? `${s.name} (${s.label})` : s.label}
                </th>
                <td data-label="Tiers">{s.tiers.map((t) => t.title).join(', ')}</td>
                <td data-label="In the shop">
                  {s.found === null ? 'Not synced yet' : s.found ? 'Found' : 'Not found'}
                </td>
                <td data-label="Members">{s.memberCount === null ? '—' : s.memberCount.toLocaleString()}</td>
                <td data-label="Last sync">{s.syncedAt ? formatInstant(s.syncedAt) : 'Never'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <button type="button" onClick={start} disabled={starting || running || status === null}>
        {running ? 'Segment sync running…' : 'Sync segments now'}
      </button>
      {sync ? (
        <div className="sync-progress">
          <ProgressBar
            label="Segment sync"
            value={sync.progress.percent}
            max={100}
            complete={sync.state === 'done'}
            detail={`${sync.progress.segmentsDone} of ${sync.progress.segmentsTotal} segments read, ${sync.progress.customersEvaluated.toLocaleString()} of ${sync.progress.customersChanged.toLocaleString()} changed customers re-evaluated`}
            outcome={sync.state === 'running' ? undefined : sync.state}
          />
          <p role="status" className="sync-state">
            {sync.state === 'done'
              ? `Done ${sync.finishedAt ? formatInstant(sync.finishedAt) : ''}: ${sync.progress.membersRead.toLocaleString()} members read, ${sync.progress.customersChanged.toLocaleString()} customers changed segment.`
              : sync.state === 'failed'
                ? `Failed (${sync.error ?? 'unknown error'}); nothing was changed for the segments not finished. Try again.`
                : 'Running…'}
          </p>
        </div>
      ) : null}
    </section>
  );
}
