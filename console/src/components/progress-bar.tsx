/**
 * A progress bar for long operations (syncs, rehearsals): role=progressbar with its numbers for
 * assistive technology, and the percentage and "processed of total" in visible text.
 */
import { useId } from 'react';

interface ProgressBarProps {
  /** Visible label, also the bar's accessible name. */
  label: string;
  /** Work done so far. */
  value: number;
  /** All the work; 0 when there is none. */
  max: number;
  /** The work is over (an empty job is then 100 %, not 0 %). */
  complete?: boolean;
  /** Text after the percentage; "<value> of <max>" when absent. */
  detail?: string;
  /** done / failed styling once finished. */
  outcome?: 'done' | 'failed';
}

/** Whole percent, 100 only once every unit is done. */
export function percentOf(value: number, max: number, complete = false): number {
  if (max <= 0) return complete ? 100 : 0;
  return Math.min(100, Math.floor((value * 100) / max));
}

export function ProgressBar({ label, value, max, complete, detail, outcome }: ProgressBarProps) {
  const id = useId();
  const percent = percentOf(value, max, complete);
  const text = `${percent} % · ${detail ?? `${value.toLocaleString()} of ${max.toLocaleString()}`}`;
  return (
    <div className={`progress${outcome ? ` ${outcome}` : ''}`}>
      <div className="progress-label" id={`${id}-label`}>
        {label}
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-labelledby={`${id}-label`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={text}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <div className="progress-text">{text}</div>
    </div>
  );
}
