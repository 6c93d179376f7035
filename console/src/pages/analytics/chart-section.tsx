/**
 * One analytics chart as a page section: heading, its controls, the chart, the table of the same
 * numbers and a CSV download of exactly that table (decision 0031).
 */
import type { ReactNode } from 'react';
import { Banner } from '../../components/form-controls';
import { type CsvCell, downloadCsv, toCsv } from '../../format/csv';
import { DataTable } from './data-table';

export interface ChartData {
  /** Column names: the CSV header row and the table's column headers. */
  header: string[];
  /** Rows of the table and the CSV. */
  rows: CsvCell[][];
}

export function ChartSection({
  id,
  title,
  controls,
  chart,
  data,
  csvName,
  error,
  loading,
}: {
  /** Prefix of element ids. */
  id: string;
  title: string;
  controls: ReactNode;
  /** The chart, drawn once data is there. */
  chart: ReactNode;
  data: ChartData | null;
  /** File name of the CSV download. */
  csvName: string;
  error: string | null;
  loading: boolean;
}) {
  return (
    <section className="card chart-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <div className="chart-controls">{controls}</div>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {loading ? (
        <div className="field">
          <label htmlFor={`${id}-progress`}>Loading {title.toLowerCase()}…</label>
          <progress id={`${id}-progress`} />
        </div>
      ) : null}
      {data && !loading ? (
        <>
          {chart}
          <details className="chart-table">
            <summary>Table of the numbers</summary>
            <DataTable id={`${id}-table`} caption={title} header={data.header} rows={data.rows} />
          </details>
          <button
            type="button"
            className="secondary"
            onClick={() => downloadCsv(csvName, toCsv(data.header, data.rows))}
          >
            Download CSV
          </button>
        </>
      ) : null}
    </section>
  );
}
