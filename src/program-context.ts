/**
 * What every merchant-API call knows about its caller. Layer-neutral: http builds it
 * (http/auth.ts), features receive it. A feature reaches storage through the port it owns
 * (docs/decisions/0036), scoped by `ctx.program.id`.
 */
import type { ProgramRecord } from './store/port.js';

export interface ProgramContext {
  /** The caller's program as read at the start of the request. */
  program: ProgramRecord;
  /** The program's now: its test clock, or the real time for live programs. */
  now: Date;
}
