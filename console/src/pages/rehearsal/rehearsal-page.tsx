/**
 * Rehearsal with the test clock (test programs): the clock now, advancing it to a date or by a
 * duration, the timeline of what ran, and a customer's tier over time.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, messageOf } from '../../api/client';
import { useSession } from '../../api/session';
import { Banner } from '../../components/form-controls';
import { formatInZone } from '../../format/instants';
import { AdvanceForm } from './advance-form';
import { RunTimeline } from './run-timeline';
import { TierOverTime } from './tier-over-time';

export function RehearsalPage() {
  const { program } = useSession();
  if (program?.mode !== 'test') {
    return (
      <section>
        <h1>Rehearsal</h1>
        <Banner kind="info">
          Only test programs have a test clock to rehearse with; a live program follows real time.
        </Banner>
      </section>
    );
  }
  return <Rehearsal timezone={program.timezone} />;
}

function Rehearsal({ timezone }: { timezone: string }) {
  const [now, setNow] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Bumped after each advance: the timeline reloads. */
  const [advances, setAdvances] = useState(0);

  const readClock = useCallback(async () => {
    try {
      setNow((await api<{ now: string }>('GET', '/v1/test-clock')).now);
    } catch (err) {
      setError(messageOf(err));
    }
  }, []);
  useEffect(() => {
    void readClock();
  }, [readClock]);

  return (
    <section className="rehearsal">
      <h1>Rehearsal</h1>
      <p className="muted">
        Move this test program's clock forward: everything that falls due on the way — cycle boundaries,
        downgrade warnings, daily syncs, resyncs — runs in time order, as it would in a live program.
      </p>
      {error ? <Banner kind="error">{error}</Banner> : null}
      <div className="card clock-card">
        <h2>Test clock</h2>
        <p className="clock-now" aria-live="polite">
          {now ? (
            <>
              <time dateTime={now}>{formatInZone(now, timezone)}</time>{' '}
              <span className="muted">({timezone})</span>
            </>
          ) : (
            'Reading the clock…'
          )}
        </p>
        {now ? (
          <AdvanceForm
            timezone={timezone}
            clockNow={now}
            onAdvanced={(to) => {
              setNow(to);
              setAdvances((n) => n + 1);
            }}
          />
        ) : null}
      </div>
      <RunTimeline timezone={timezone} reload={advances} />
      <TierOverTime timezone={timezone} reload={advances} />
    </section>
  );
}
