/**
 * "Start full sync": POST /v1/sync re-evaluates every customer in the background; the bar
 * follows GET /v1/jobs/{jobId} until the run is done or failed.
 */
import { useEffect, useState } from 'react';
import { api, messageOf } from '../../api/client';
import type { JobView } from '../../api/types';
import { Banner } from '../../components/form-controls';
import { ProgressBar } from '../../components/progress-bar';

const POLL_MS = 500;
const finished = (job: JobView) => job.state === 'done' || job.state === 'failed';

export function FullSync() {
  const [jobId, setJobId] = useState<string | null>(null);
  const [job, setJob] = useState<JobView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);

  useEffect(() => {
    if (!jobId) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const j = await api<JobView>('GET', `/v1/jobs/${encodeURIComponent(jobId)}`);
        if (stop) return;
        setJob(j);
        if (finished(j)) return;
      } catch (err) {
        if (stop) return;
        setError(messageOf(err));
      }
      timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [jobId]);

  async function start() {
    setError(null);
    setJob(null);
    setStarting(true);
    try {
      setJobId((await api<{ jobId: string }>('POST', '/v1/sync')).jobId);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setStarting(false);
    }
  }

  const running = starting || (jobId !== null && (job === null || !finished(job)));
  return (
    <section className="card" aria-labelledby="sync-title">
      <h2 id="sync-title">Full sync</h2>
      <p className="muted">
        Re-evaluates every customer's tier with the current tiers and settings, as the scheduled runs do. It
        runs in the background; you can leave this page.
      </p>
      <button type="button" onClick={start} disabled={running}>
        {running ? 'Sync running…' : 'Start full sync'}
      </button>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {job ? (
        <div className="sync-progress">
          <ProgressBar
            label="Full sync"
            value={job.processed}
            max={job.total}
            complete={job.state === 'done'}
            detail={`${job.processed.toLocaleString()} of ${job.total.toLocaleString()} customers`}
            outcome={job.state === 'done' || job.state === 'failed' ? job.state : undefined}
          />
          <p role="status" className="sync-state">
            {job.state === 'done'
              ? `Done: ${job.processed.toLocaleString()} customers re-evaluated.`
              : job.state === 'failed'
                ? 'Failed: a batch of customers kept failing (the server log says why); start a new sync once it is fixed.'
                : job.state === 'pending'
                  ? 'Waiting to start…'
                  : 'Running…'}
          </p>
        </div>
      ) : null}
    </section>
  );
}
