/** Upgrades and downgrades per local day or week, stacked by reason (GET /v1/analytics/movements). */

import { useMemo, useState } from 'react';
import type { z } from 'zod';
import type { movementsView } from '../../../../src/features/analytics/analytics-schemas.js';
import { SelectField } from '../../components/form-controls';
import { addDays } from '../../format/dates';
import { BarChart, type BarSeries } from './bar-chart';
import { type ChartData, ChartSection } from './chart-section';
import { DateRangeFields, useDateRange } from './date-range-fields';
import { useApiData } from './use-api-data';

type Movements = z.output<typeof movementsView>;

function reasonsOf(data: Movements, key: 'upgradesByReason' | 'downgradesByReason'): string[] {
  return [...new Set(data.buckets.flatMap((b) => Object.keys(b[key])))].sort();
}

export function MovementsChart({ today }: { today: string }) {
  const range = useDateRange(addDays(today, -29), today);
  const { from, to, ready } = range;
  const [interval, setBucket] = useState<'day' | 'week'>('day');
  const { data, error, loading } = useApiData<Movements>(
    ready ? `/v1/analytics/movements?from=${from}&to=${to}&interval=${interval}` : null,
  );
  const view = useMemo(() => {
    if (!data) return null;
    const up = reasonsOf(data, 'upgradesByReason');
    const down = reasonsOf(data, 'downgradesByReason');
    const series: BarSeries[] = [
      ...up.map((r) => ({
        label: `Upgrade: ${r}`,
        stack: 'up',
        values: data.buckets.map((b) => b.upgradesByReason[r] ?? 0),
      })),
      { label: 'Entry (first tier)', stack: 'up', values: data.buckets.map((b) => b.entries) },
      ...down.map((r) => ({
        label: `Downgrade: ${r}`,
        stack: 'down',
        values: data.buckets.map((b) => b.downgradesByReason[r] ?? 0),
      })),
    ];
    const table: ChartData = {
      header: [
        interval === 'day' ? 'Day' : 'Week starting',
        'Upgrades',
        'Downgrades',
        'Entries',
        ...up.map((r) => `Upgrades: ${r}`),
        ...down.map((r) => `Downgrades: ${r}`),
      ],
      rows: data.buckets.map((b) => [
        b.start,
        b.upgrades,
        b.downgrades,
        b.entries,
        ...up.map((r) => b.upgradesByReason[r] ?? 0),
        ...down.map((r) => b.downgradesByReason[r] ?? 0),
      ]),
    };
    return { series, table, labels: data.buckets.map((b) => b.start) };
  }, [data, interval]);
  const summary = data
    ? `Tier movements per ${data.interval} from ${data.from} to ${data.to}: ${data.totals.upgrades} upgrades, ${data.totals.downgrades} downgrades and ${data.totals.entries} entries in total.`
    : '';
  return (
    <ChartSection
      id="movements"
      title="Upgrades and downgrades"
      controls={
        <div className="row">
          <DateRangeFields range={range} />
          <SelectField
            label="Per"
            value={interval}
            onChange={(e) => setBucket(e.target.value === 'week' ? 'week' : 'day')}
          >
            <option value="day">Day</option>
            <option value="week">Week (from Monday)</option>
          </SelectField>
        </div>
      }
      chart={
        view ? (
          <BarChart
            labels={view.labels}
            series={view.series}
            summary={summary}
            stacked
            tableId="movements-table"
          />
        ) : null
      }
      data={view?.table ?? null}
      csvName={`tier-movements-${from}-${to}-${interval}.csv`}
      error={error}
      loading={loading}
    />
  );
}
