/** The program's now, as a ProgramContext (src/program-context.ts) carries it. */
import type { Clock } from '../../clock.js';
import type { ProgramRecord } from '../../store/port.js';

/** The program's time: a test program's clock only moves when advanced. */
export function programNow(program: ProgramRecord, clock: Clock): Date {
  return program.mode === 'test' && program.clockNow ? program.clockNow : clock.now();
}
