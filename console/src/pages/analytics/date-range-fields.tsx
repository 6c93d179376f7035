/** The from–to dates of a chart over time (earnings, movements): the state and its two fields. */
import { useState } from 'react';
import { TextField } from '../../components/form-controls';

export interface DateRange {
  /** First local date, YYYY-MM-DD ('' while the field is cleared). */
  from: string;
  /** Last local date, YYYY-MM-DD ('' while the field is cleared). */
  to: string;
  /** Set the first date. */
  setFrom(from: string): void;
  /** Set the last date. */
  setTo(to: string): void;
  /** Both dates are filled in: the chart can ask for its data. */
  ready: boolean;
}

/** A date range starting as `from`–`to`. */
export function useDateRange(from: string, to: string): DateRange {
  const [start, setFrom] = useState(from);
  const [end, setTo] = useState(to);
  return { from: start, to: end, setFrom, setTo, ready: start !== '' && end !== '' };
}

/** The From and To date fields, each bounded by the other. */
export function DateRangeFields({ range }: { range: DateRange }) {
  return (
    <>
      <TextField
        label="From"
        type="date"
        value={range.from}
        max={range.to}
        onChange={(e) => range.setFrom(e.target.value)}
      />
      <TextField
        label="To"
        type="date"
        value={range.to}
        min={range.from}
        onChange={(e) => range.setTo(e.target.value)}
      />
    </>
  );
}
