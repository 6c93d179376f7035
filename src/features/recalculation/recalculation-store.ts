/**
 * What recalculation runs need of storage, for one program (docs/decisions/0036): the runs and
 * their batches, and the program's settings and tiers as they are when a run works.
 */
import type { ProgramRepository, TierRepository } from '../../store/port.js';
import type { RunRepository } from '../../store/recalculation-port.js';
import type { ScopedStore } from '../../store/scoped-store.js';

export interface RecalculationScope {
  runs: RunRepository;
  program: Pick<ProgramRepository, 'get'>;
  tiers: Pick<TierRepository, 'list'>;
}

export type RecalculationStore = ScopedStore<RecalculationScope>;
