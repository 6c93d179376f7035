/** Customers per tier now, or at the end of a chosen local date (GET /v1/analytics/distribution?at=). */

import { useMemo, useState } from 'react';
import type { z } from 'zod';
import type { distributionView } from '../../../../src/features/analytics/analytics-schemas.js';
import { TextField } from '../../components/form-controls';
import { BarChart } from './bar-chart';
import { type ChartData, ChartSection } from './chart-section';
import { tierLabel } from './tier-label';
import { useApiData } from './use-api-data';

type Distribution = z.output<typeof distributionView>;

export function DistributionChart({ today }: { today: string }) {
  const [at, setAt] = useState('');
  const path = `/v1/analytics/distribution${at ? `?at=${at}` : ''}`;
  const { data, error, loading } = useApiData<Distribution>(path);
  const table = useMemo((): ChartData | null => {
    if (!data) return null;
    return {
      header: ['Tier', 'Tier id', 'Customers'],
      rows: data.tiers.map((t) => [tierLabel(t, t.id), t.id, t.customers]),
    };
  }, [data]);
  const series = useMemo(
    () => [{ label: 'Customers', values: data?.tiers.map((t) => t.customers) ?? [] }],
    [data],
  );
  const labels = useMemo(() => data?.tiers.map((t) => tierLabel(t, t.id)) ?? [], [data]);
  const when = at ? `at the end of ${at}` : 'now';
  const summary = data
    ? `Customers per tier ${when}: ${data.tiers.map((t) => `${tierLabel(t, t.id)} ${t.customers}`).join(', ')}; ${data.total} in total.`
    : '';
  return (
    <ChartSection
      id="distribution"
      title="Customers per tier"
      controls={
        <div className="row">
          <TextField
            label="On date"
            type="date"
            value={at}
            max={today}
            onChange={(e) => setAt(e.target.value)}
            hint="Empty: now. A date counts everyone's tier at the end of that day."
          />
          {at ? (
            <button type="button" className="secondary" onClick={() => setAt('')}>
              Show now
            </button>
          ) : null}
        </div>
      }
      chart={<BarChart labels={labels} series={series} summary={summary} tableId="distribution-table" />}
      data={table}
      csvName={`customers-per-tier-${at || today}.csv`}
      error={error}
      loading={loading}
    />
  );
}
