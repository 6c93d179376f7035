/**
 * What every merchant-API call knows about its caller. Layer-neutral: http builds it
 * (http/auth.ts), features receive it; it names only the store port's types.
 */
import type { ProgramRecord, ProgramScope } from './store/port.js';

export interface ProgramContext {
  /** The caller's program as read at the start of the request. */
  program: ProgramRecord;
  /** Repositories scoped to that program. */
  scope: ProgramScope;
  /** The program's now: its test clock, or the real time for live programs. */
  now: Date;
}

/**
 * The context less its scope: what a feature that owns its port (docs/decisions/0036) reads.
 * Its service scopes its own store (`store.scoped(ctx.program.id)`); a `ProgramContext` satisfies it.
 */
export type ProgramCall = Omit<ProgramContext, 'scope'>;
