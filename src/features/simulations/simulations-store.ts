/** The storage the simulations feature needs (docs/decisions/0036): read-only. */
import type { AnalyticsRepository } from '../../store/analytics-port.js';
import type { TierRepository } from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';

/** One program's live tiers and the fact pages a simulation evaluates in memory. */
export interface SimulationsScope {
  tiers: Pick<TierRepository, 'list'>;
  analytics: Pick<AnalyticsRepository, 'customerFacts'>;
}

export type SimulationsStore = ScopedStore<SimulationsScope>;
