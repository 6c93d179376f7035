/** The storage the programs feature needs (docs/decisions/0036). */
import type { ProgramTx, Store, TierRepository } from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';

/** A settings change: the program locked and rewritten, its tiers checked, a resync asked for. */
export interface ProgramsTx {
  program: Pick<ProgramTx['program'], 'lock' | 'update' | 'schedule' | 'setSchedule'>;
  tiers: Pick<TierRepository, 'list'>;
}

/** One program's settings. */
export interface ProgramsScope {
  transaction<T>(fn: (tx: ProgramsTx) => Promise<T>): Promise<T>;
}

/** Each program's settings, and creating programs (not scoped: the program does not exist yet). */
export interface ProgramsStore extends ScopedStore<ProgramsScope>, Pick<Store, 'createProgram'> {}
