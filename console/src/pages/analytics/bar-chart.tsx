/**
 * A bar chart drawn by Chart.js (only the pieces a bar chart needs are registered, so the chunk
 * stays small), with its accessible name and a pointer to the table of the same numbers: the
 * canvas is an image for assistive technology, the table beside it is the data.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'react';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/** Colour-blind-safe palette (Okabe–Ito), cycled by series. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** One series of bars; series with the same `stack` are stacked. */
export interface BarSeries {
  label: string;
  values: number[];
  stack?: string;
}

export function BarChart({
  labels,
  series,
  summary,
  stacked = false,
  tableId,
}: {
  /** The category of each bar group (x axis). */
  labels: string[];
  series: BarSeries[];
  /** A sentence naming what the chart shows and its main numbers (the canvas's accessible name). */
  summary: string;
  stacked?: boolean;
  /** Id of the table with the same data. */
  tableId: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const datasets: ChartDataset<'bar'>[] = series.map((s, i) => ({
      label: s.label,
      data: s.values,
      stack: s.stack,
      backgroundColor: PALETTE[i % PALETTE.length],
    }));
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { stacked }, y: { stacked, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    return () => chart.destroy();
  }, [labels, series, stacked]);
  return (
    <div className="chart-box">
      <canvas ref={canvas} role="img" aria-label={summary} aria-describedby={tableId}>
        {summary}
      </canvas>
    </div>
  );
}
