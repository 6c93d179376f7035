/** The storage the scheduling feature needs (docs/decisions/0036): each program's schedule and clock. */
import type { ProgramRepository, Store } from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';

export interface SchedulingScope {
  program: Pick<ProgramRepository, 'get' | 'schedule' | 'setSchedule' | 'clearResync' | 'setClock'>;
}

/** Each program's schedule, and the live programs the scheduler's tick walks. */
export interface SchedulingStore extends ScopedStore<SchedulingScope>, Pick<Store, 'listPrograms'> {}
