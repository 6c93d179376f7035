/**
 * A simulation's answer: today's and the draft's distribution side by side (with titles), the
 * moves per (from → to) pair, and one page of the customers who would move.
 */
import type { z } from 'zod';
import type { simulationView } from '../../../../src/features/simulations/simulation-schemas.js';
import { ScrollRegion } from '../../components/scroll-region';

export type Simulation = z.output<typeof simulationView>;

function DistributionTable({ caption, rows }: { caption: string; rows: Simulation['currentTiers'] }) {
  return (
    <table className="data-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Tier</th>
          <th scope="col">Customers</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id ?? 'none'}>
            <th scope="row">{r.title ?? 'No tier'}</th>
            <td>{r.customers.toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const tierName = (t: { title: string } | null) => t?.title ?? 'No tier';

export function SimulationResults({
  result,
  page,
  onPage,
  busy,
}: {
  result: Simulation;
  /** 1-based page number of the movers shown. */
  page: number;
  /** Ask for the next (`next`) or previous page of movers. */
  onPage(direction: 'next' | 'previous'): void;
  busy: boolean;
}) {
  return (
    <section className="card simulation-results" aria-labelledby="results-title">
      <h2 id="results-title">Result</h2>
      <p role="status">
        {result.customers.toLocaleString()} customers evaluated; {result.changed.toLocaleString()} would
        change tier.
      </p>
      <div className="grid-2">
        <DistributionTable caption="Today" rows={result.currentTiers} />
        <DistributionTable caption="With the draft" rows={result.simulatedTiers} />
      </div>
      {result.moves.length > 0 ? (
        <>
          <h3>Moves</h3>
          <ul className="moves">
            {result.moves.map((m) => (
              <li key={`${m.from}>${m.to}`}>
                {m.fromTitle ?? 'No tier'} → {m.toTitle ?? 'No tier'}: {m.customers.toLocaleString()}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {result.warnings.length > 0 ? (
        <ul className="warnings">
          {result.warnings.map((w) => (
            <li key={`${w.path}:${w.code}`}>{w.message}</li>
          ))}
        </ul>
      ) : null}
      <h3>Who would move</h3>
      {result.movers.data.length === 0 ? (
        <p>Nobody would change tier.</p>
      ) : (
        <ScrollRegion label="Customers who would move (table)">
          <table className="data-table movers">
            <caption>Customers who would move, page {page}</caption>
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
              </tr>
            </thead>
            <tbody>
              {result.movers.data.map((m) => (
                <tr key={m.customerId}>
                  <th scope="row">{m.customerId}</th>
                  <td>{m.email ?? ''}</td>
                  <td>{m.name ?? ''}</td>
                  <td>{tierName(m.from)}</td>
                  <td>{tierName(m.to)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      <div className="row">
        <button
          type="button"
          className="secondary"
          disabled={busy || page === 1}
          onClick={() => onPage('previous')}
        >
          Previous customers
        </button>
        <button
          type="button"
          className="secondary"
          disabled={busy || result.movers.nextCursor === null}
          onClick={() => onPage('next')}
        >
          Next customers
        </button>
      </div>
    </section>
  );
}
