/**
 * Advance the test clock to a date and time (read on the program's wall clock) or by an ISO
 * duration (sent as `by`; the server counts it on the program's calendar). While the request
 * runs, the bar follows the clock as each piece of due work moves it forward.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { addDuration } from '../../../../src/domain/duration.js';
import { durationSchema } from '../../../../src/features/programs/program-schemas.js';
import { ApiError, api, messageOf } from '../../api/client';
import type { RunItem } from '../../api/types';
import { Banner, TextField } from '../../components/form-controls';
import { ProgressBar } from '../../components/progress-bar';
import { DURATION_HINT, durationInWords } from '../../format/durations';
import { formatInZone, instantOfLocalInput, localInputValue } from '../../format/instants';
import { kindLabel } from './run-kinds';

interface Props {
  timezone: string;
  clockNow: string;
  onAdvanced(now: string): void;
}

interface Running {
  from: number;
  to: number;
  clock: number;
  latest: RunItem | null;
}

const POLL_MS = 700;

export function AdvanceForm({ timezone, clockNow, onAdvanced }: Props) {
  const [mode, setMode] = useState<'by' | 'to'>('by');
  const [by, setBy] = useState('P1D');
  /** A day after the clock, on the program's wall clock: where "to a date and time" starts. */
  const dayLater = () =>
    localInputValue(addDuration(new Date(clockNow), 'P1D', timezone).toISOString(), timezone);
  const [to, setTo] = useState(dayLater);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [running, setRunning] = useState<Running | null>(null);

  // After an advance the suggested target moves on with the clock.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new clock resets the suggestion
  useEffect(() => setTo(dayLater()), [clockNow]);

  // While advancing: the clock (moved to each due item's time) and the latest run.
  const active = running !== null;
  const fromIso = running ? new Date(running.from).toISOString() : null;
  useEffect(() => {
    if (!active || !fromIso) return;
    let stop = false;
    const timer = setInterval(async () => {
      try {
        const [clock, runs] = await Promise.all([
          api<{ now: string }>('GET', '/v1/test-clock'),
          api<{ data: RunItem[] }>('GET', `/v1/runs?limit=1&from=${encodeURIComponent(fromIso)}`),
        ]);
        if (!stop) {
          setRunning((r) => r && { ...r, clock: Date.parse(clock.now), latest: runs.data[0] ?? r.latest });
        }
      } catch {
        // A missed poll only delays the bar.
      }
    }, POLL_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [active, fromIso]);

  function target(): { body: Record<string, string>; at: Date } | null {
    const start = new Date(clockNow);
    if (mode === 'by') {
      const parsed = durationSchema.safeParse(by.trim());
      if (!parsed.success) {
        setFieldError(parsed.error.issues[0]?.message ?? 'must be an ISO 8601 duration');
        return null;
      }
      return { body: { by: parsed.data }, at: addDuration(start, parsed.data, timezone) };
    }
    const at = instantOfLocalInput(to, timezone);
    if (!at) {
      setFieldError('Enter a date and time');
      return null;
    }
    if (at.getTime() <= start.getTime()) {
      setFieldError('Must be later than the test clock');
      return null;
    }
    return { body: { to: at.toISOString() }, at };
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFieldError(undefined);
    setError(null);
    setDone(null);
    const t = target();
    if (!t) return;
    const from = Date.parse(clockNow);
    setRunning({ from, to: t.at.getTime(), clock: from, latest: null });
    try {
      const res = await api<{ now: string; ran: RunItem[] }>('POST', '/v1/test-clock/advance', {
        body: t.body,
      });
      setDone(
        `The clock is now ${formatInZone(res.now, timezone)}; ${res.ran.length} run${res.ran.length === 1 ? '' : 's'} ran on the way.`,
      );
      onAdvanced(res.now);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) setFieldError(Object.values(err.fieldErrors())[0]);
      setError(messageOf(err));
    } finally {
      setRunning(null);
    }
  }

  const words = durationInWords(by);
  return (
    <form onSubmit={submit} noValidate className="advance-form">
      <fieldset>
        <legend className="advance-legend">Advance the clock</legend>
        <div className="row">
          <label className="choice">
            <input type="radio" name="advance-mode" checked={mode === 'by'} onChange={() => setMode('by')} />{' '}
            By a duration
          </label>
          <label className="choice">
            <input type="radio" name="advance-mode" checked={mode === 'to'} onChange={() => setMode('to')} />{' '}
            To a date and time
          </label>
        </div>
        {mode === 'by' ? (
          <TextField
            label="Advance by"
            value={by}
            onChange={(e) => setBy(e.target.value)}
            error={fieldError}
            hint={
              words ? `${words} on the program's calendar (${timezone}). ${DURATION_HINT}` : DURATION_HINT
            }
          />
        ) : (
          <TextField
            label={`Advance to (${timezone})`}
            type="datetime-local"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            error={fieldError}
            hint="Program time: the wall clock of the program's time zone."
          />
        )}
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={running !== null}>
          {running ? 'Advancing…' : 'Advance clock'}
        </button>
      </div>
      {running ? (
        <div aria-live="polite">
          <ProgressBar
            label="Advancing the test clock"
            value={running.clock - running.from}
            max={running.to - running.from}
            detail={`clock at ${formatInZone(new Date(running.clock).toISOString(), timezone)} of ${formatInZone(new Date(running.to).toISOString(), timezone)}`}
          />
          {running.latest ? (
            <p className="muted">
              Latest: {kindLabel(running.latest.kind)} of {formatInZone(running.latest.at, timezone)} —{' '}
              {running.latest.processed.toLocaleString()} of {running.latest.total.toLocaleString()} customers
            </p>
          ) : null}
        </div>
      ) : null}
      {error ? <Banner kind="error">{error}</Banner> : null}
      {done ? (
        <div role="status">
          <Banner kind="success">{done}</Banner>
        </div>
      ) : null}
    </form>
  );
}
