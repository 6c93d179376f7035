/**
 * The next three cycle boundaries, computed by the server (GET /v1/program/cycles) for the cycle
 * being edited, refreshed 400 ms after the last keystroke in the cycle fields.
 */
import { useEffect, useState } from 'react';
import { durationSchema } from '../../../../src/features/programs/program-schemas.js';
import { dateSchema } from '../../../../src/http/common-schemas.js';
import { api, messageOf } from '../../api/client';

interface Boundaries {
  timezone: string;
  boundaries: { at: string; local: string }[];
}

/** `2026-04-01T00:00` → "Wed, 1 Apr 2026, 00:00" (the wall clock as the server gave it). */
function wallClock(local: string): string {
  const [date, time] = local.split('T');
  const d = new Date(`${date}T00:00:00Z`);
  const day = new Intl.DateTimeFormat(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(d);
  return `${day}, ${time}`;
}

export function CycleBoundaries({ every, anchor }: { every: string; anchor: string }) {
  const [state, setState] = useState<{ data?: Boundaries; error?: string; loading: boolean }>({
    loading: true,
  });
  const valid = durationSchema.safeParse(every.trim()).success && dateSchema.safeParse(anchor).success;

  useEffect(() => {
    if (!valid) return;
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      const q = new URLSearchParams({ count: '3', every: every.trim(), anchor });
      api<Boundaries>('GET', `/v1/program/cycles?${q}`, { signal: ctl.signal }).then(
        (data) => setState({ data, loading: false }),
        (err) => {
          if (!ctl.signal.aborted) setState({ error: messageOf(err), loading: false });
        },
      );
    }, 400);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [every, anchor, valid]);

  return (
    <section className="boundaries" aria-labelledby="boundaries-title">
      <h3 id="boundaries-title">Next cycle boundaries</h3>
      <div aria-live="polite" aria-busy={state.loading}>
        {!valid ? (
          <p className="muted">Enter a valid cycle length and anchor date to see the next boundaries.</p>
        ) : state.error ? (
          <p className="error">{state.error}</p>
        ) : state.data ? (
          <>
            <ol className="boundary-list">
              {state.data.boundaries.map((b) => (
                <li key={b.at}>
                  <time dateTime={b.at}>{wallClock(b.local)}</time>
                </li>
              ))}
            </ol>
            <p className="hint">
              In the program's saved time zone, {state.data.timezone}. Customers are reviewed and carry points
              reset at each of these.
            </p>
          </>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </div>
    </section>
  );
}
