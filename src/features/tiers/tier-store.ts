/**
 * What the tiers feature needs of storage, for one program (docs/decisions/0036): the tier list,
 * and units of work that change it under the program lock and refresh the wallet passes it shows on.
 */
import type { ProgramTx, TierRepository } from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';

/** A change of the tier set. */
export type TierTx = Pick<ProgramTx, 'program' | 'tiers' | 'outbox'>;

export interface TierScope {
  tiers: Pick<TierRepository, 'list' | 'get'>;
  transaction<T>(fn: (tx: TierTx) => Promise<T>): Promise<T>;
}

export type TierStore = ScopedStore<TierScope>;
