/** Points awarded and tier bonus points paid per tier per local month (GET /v1/analytics/earnings). */

import { useMemo } from 'react';
import type { z } from 'zod';
import type { earningsView } from '../../../../src/features/analytics/analytics-schemas.js';
import { monthStart } from '../../format/dates';
import { BarChart, type BarSeries } from './bar-chart';
import { type ChartData, ChartSection } from './chart-section';
import { DateRangeFields, useDateRange } from './date-range-fields';
import { tierLabel } from './tier-label';
import { useApiData } from './use-api-data';

type Earnings = z.output<typeof earningsView>;

export function EarningsChart({ today }: { today: string }) {
  const range = useDateRange(monthStart(today, 11), today);
  const { from, to, ready } = range;
  const { data, error, loading } = useApiData<Earnings>(
    ready ? `/v1/analytics/earnings?from=${from}&to=${to}` : null,
  );
  const view = useMemo(() => {
    if (!data) return null;
    const tiers = data.tiers.map((t) => ({ id: t.id, label: tierLabel(t, t.id) }));
    const cell = (month: Earnings['months'][number], id: string | null) =>
      month.tiers.find((t) => t.tierId === id);
    const series: BarSeries[] = [
      ...tiers.map((t) => ({
        label: `Points awarded · ${t.label}`,
        stack: 'awarded',
        values: data.months.map((m) => cell(m, t.id)?.awarded ?? 0),
      })),
      ...tiers.map((t) => ({
        label: `Bonus points · ${t.label}`,
        stack: 'bonus',
        values: data.months.map((m) => cell(m, t.id)?.bonus ?? 0),
      })),
    ];
    const table: ChartData = {
      header: ['Month', 'Tier', 'Tier id', 'Points awarded', 'Bonus points paid', 'Bonuses paid'],
      rows: data.months.flatMap((m) =>
        m.tiers.map((t) => [m.month, tierLabel(t, t.tierId), t.tierId, t.awarded, t.bonus, t.bonuses]),
      ),
    };
    return { series, table, labels: data.months.map((m) => m.month) };
  }, [data]);
  const summary = data
    ? `Points per tier per month from ${data.from} to ${data.to}: ${data.tiers
        .map((t) => `${tierLabel(t, t.id)} ${t.awarded} points awarded and ${t.bonus} bonus points`)
        .join('; ')}.`
    : '';
  return (
    <ChartSection
      id="earnings"
      title="Points awarded and bonus points per tier"
      controls={
        <div className="row">
          <DateRangeFields range={range} />
        </div>
      }
      chart={
        view ? (
          <BarChart
            labels={view.labels}
            series={view.series}
            summary={summary}
            stacked
            tableId="earnings-table"
          />
        ) : null
      }
      data={view?.table ?? null}
      csvName={`points-per-tier-${from}-${to}.csv`}
      error={error}
      loading={loading}
    />
  );
}
