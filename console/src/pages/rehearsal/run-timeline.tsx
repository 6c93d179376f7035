/**
 * The timeline of what ran (GET /v1/runs), newest first: cycle boundaries, downgrade warnings,
 * daily syncs, resyncs and full syncs at their due time on the program's clock, with counts.
 */
import { useEffect, useState } from 'react';
import { api, messageOf } from '../../api/client';
import type { Paged, RunItem } from '../../api/types';
import { Banner, SelectField } from '../../components/form-controls';
import { formatInZone } from '../../format/instants';
import { kindLabel } from './run-kinds';

const FILTERS: { value: string; label: string }[] = [
  { value: '', label: 'Everything' },
  { value: 'cycle,warning', label: 'Cycle boundaries and warnings' },
  { value: 'daily', label: 'Daily syncs' },
  { value: 'resync,sync', label: 'Resyncs and full syncs' },
];
const PAGE = 25;

/** "1 moved up, 2 moved down" — what a run changed, in words. */
function changes(run: RunItem): string {
  const { movedUp, movedDown, warned } = run.counts;
  const parts: string[] = [];
  if (movedUp > 0) parts.push(`${movedUp.toLocaleString()} moved up`);
  if (movedDown > 0) parts.push(`${movedDown.toLocaleString()} moved down`);
  if (warned > 0) parts.push(`${warned.toLocaleString()} warned`);
  if (run.kind === 'warning' && warned === 0) parts.push('nobody to warn');
  return parts.length > 0 ? parts.join(', ') : 'no tier changes';
}

export function RunTimeline({ timezone, reload }: { timezone: string; reload: number }) {
  const [kind, setKind] = useState('');
  const [runs, setRuns] = useState<RunItem[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function load(cursor: string | null, signal?: AbortSignal) {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (kind) q.set('kind', kind);
    if (cursor) q.set('cursor', cursor);
    const page = await api<Paged<RunItem>>('GET', `/v1/runs?${q}`, {
      signal,
    });
    setRuns((before) => (cursor ? [...(before ?? []), ...page.data] : page.data));
    setNext(page.nextCursor);
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload on a new filter or after an advance
  useEffect(() => {
    const ctl = new AbortController();
    setError(null);
    load(null, ctl.signal).catch((err) => {
      if (!ctl.signal.aborted) setError(messageOf(err));
    });
    return () => ctl.abort();
  }, [kind, reload]);

  return (
    <section className="card timeline-card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">What ran</h2>
      <SelectField label="Show" value={kind} onChange={(e) => setKind(e.target.value)}>
        {FILTERS.map((f) => (
          <option key={f.value} value={f.value}>
            {f.label}
          </option>
        ))}
      </SelectField>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {runs === null ? (
        <p className="muted">Loading…</p>
      ) : runs.length === 0 ? (
        <p className="muted">
          Nothing has run yet. Advance the clock to see boundaries, warnings and syncs here.
        </p>
      ) : (
        <ol className="timeline" aria-label="Runs, newest first">
          {runs.map((run) => (
            <li key={run.id} className={`timeline-item kind-${run.kind}`}>
              <div className="timeline-head">
                <strong>{kindLabel(run.kind)}</strong>{' '}
                <time dateTime={run.at}>{formatInZone(run.at, timezone)}</time>
                <span className={`pill state-${run.state}`}>{run.state}</span>
              </div>
              <div className="muted">
                {run.processed.toLocaleString()} of {run.total.toLocaleString()} customers · {changes(run)}
                {run.error ? ` · ${run.error}` : ''}
              </div>
            </li>
          ))}
        </ol>
      )}
      {next ? (
        <button
          type="button"
          className="secondary"
          onClick={() => load(next).catch((err) => setError(messageOf(err)))}
        >
          Load older runs
        </button>
      ) : null}
    </section>
  );
}
