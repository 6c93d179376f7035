/** The storage the analytics feature needs (docs/decisions/0036): read-only aggregates. */
import type { AnalyticsRepository } from '../../store/analytics-port.js';
import type { ScopedStore } from '../../store/scoped-store.js';

/** One program's analytics reads. */
export interface AnalyticsScope {
  analytics: Pick<
    AnalyticsRepository,
    'distributionNow' | 'distributionAt' | 'movements' | 'earnings' | 'tierNames'
  >;
}

export type AnalyticsStore = ScopedStore<AnalyticsScope>;
