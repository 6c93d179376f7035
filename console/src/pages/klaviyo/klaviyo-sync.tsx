/**
 * "Sync all profiles" (docs/klaviyo.md): POST /v1/integrations/klaviyo/sync pushes every customer's
 * tierpass_* profile properties to Klaviyo with Bulk Import Profiles jobs in the background (a
 * first connection starts one by itself); the bar follows GET …/sync until it is done or failed,
 * and shows the latest sync's outcome when the page opens.
 */
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiError, api, messageOf } from '../../api/client';
import { Banner } from '../../components/form-controls';
import { ProgressBar } from '../../components/progress-bar';

const POLL_MS = 500;

interface Sync {
  id: string;
  state: 'running' | 'done' | 'failed';
  total: number;
  sent: number;
  skipped: number;
  jobs: number;
  progress: number;
  lastError: string | null;
  retryAt: string | null;
}

function stateText(s: Sync): string {
  const skipped = s.skipped > 0 ? ` ${s.skipped.toLocaleString()} erased customers left out.` : '';
  if (s.state === 'done') {
    return `Done: ${s.sent.toLocaleString()} profiles sent to Klaviyo in ${s.jobs.toLocaleString()} import jobs.${skipped}`;
  }
  if (s.state === 'failed')
    return `Failed (${s.lastError ?? 'unknown error'}). Start it again: profiles are state, sending one twice changes nothing.`;
  if (s.retryAt !== null) {
    const at = new Date(s.retryAt).toLocaleTimeString();
    return s.lastError ? `Waiting until ${at}: ${s.lastError}` : `Klaviyo asked to wait: going on at ${at}.`;
  }
  return 'Sending profiles…';
}

export function KlaviyoSync({ refresh }: { refresh: string }) {
  const [sync, setSync] = useState<Sync | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);

  const load = useCallback(async () => {
    try {
      setSync(await api<Sync>('GET', '/v1/integrations/klaviyo/sync'));
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) setError(messageOf(err));
    }
  }, []);

  // Loaded again after a key is saved (`refresh` changes): a first connection starts a sync.
  useEffect(() => {
    if (refresh) void load();
  }, [refresh, load]);

  const running = sync?.state === 'running';
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
    setStarting(true);
    try {
      setSync(await api<Sync>('POST', '/v1/integrations/klaviyo/sync'));
    } catch (err) {
      setError(`The sync did not start: ${messageOf(err)}`);
    } finally {
      setStarting(false);
    }
  }

  return (
    <form className="card" aria-labelledby="klaviyo-sync-title" onSubmit={start} noValidate>
      <h2 id="klaviyo-sync-title">Sync all profiles</h2>
      <p className="muted">
        Sends every customer’s tier, points, next tier and what keeps their tier to their Klaviyo profile with
        Klaviyo’s bulk import (10,000 profiles per job). Connecting Klaviyo does it once by itself; after that
        each change is sent as it happens.
      </p>
      <button type="submit" disabled={starting || running}>
        {running ? 'Sync running…' : starting ? 'Starting…' : 'Sync all profiles'}
      </button>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {sync ? (
        <div className="sync-progress">
          <ProgressBar
            label="Profile sync"
            value={sync.sent + sync.skipped}
            max={sync.total}
            complete={sync.state === 'done'}
            detail={`${(sync.sent + sync.skipped).toLocaleString()} of ${sync.total.toLocaleString()} customers`}
            outcome={sync.state === 'done' || sync.state === 'failed' ? sync.state : undefined}
          />
          <p role="status" className="sync-state">
            {stateText(sync)}
          </p>
        </div>
      ) : null}
    </form>
  );
}
