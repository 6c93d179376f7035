/** What every merchant-API call knows about its caller. */
import type { Clock } from '../../clock.js';
import type { ProgramRecord, ProgramScope } from '../../store/port.js';

export interface ProgramContext {
  /** The caller's program as read at the start of the request. */
  program: ProgramRecord;
  /** Repositories scoped to that program. */
  scope: ProgramScope;
  /** The program's now: its test clock, or the real time for live programs. */
  now: Date;
}

/** The program's time: a test program's clock only moves when advanced. */
export function programNow(program: ProgramRecord, clock: Clock): Date {
  return program.mode === 'test' && program.clockNow ? program.clockNow : clock.now();
}
