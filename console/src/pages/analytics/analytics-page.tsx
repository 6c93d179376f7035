/**
 * Analytics (lazy chunk with Chart.js): customers per tier now or on a date, upgrades and
 * downgrades per day or week by reason, points and bonuses per tier per month. Each chart has a
 * table of its numbers and a CSV download. Default ranges end on the program's today.
 */
import { useSession } from '../../api/session';
import { localDate } from '../../format/dates';
import { DistributionChart } from './distribution-chart';
import { EarningsChart } from './earnings-chart';
import { MovementsChart } from './movements-chart';

export function AnalyticsPage() {
  const { program } = useSession();
  if (!program) return null;
  // A test program's clock is its own: its today, not the browser's.
  const now = program.clock ? new Date(program.clock.now) : new Date();
  const today = localDate(now, program.timezone);
  return (
    <section className="analytics">
      <h1>Analytics</h1>
      <p className="muted">
        Dates are in the program's time zone ({program.timezone}). Every chart has a table of its numbers and
        a CSV download.
      </p>
      <DistributionChart today={today} />
      <MovementsChart today={today} />
      <EarningsChart today={today} />
    </section>
  );
}
