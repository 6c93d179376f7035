/**
 * The next recalculation-cycle boundaries of a program (issue 11, the console's settings page),
 * or of unsaved `every`/`anchor` settings being edited. Pure over the program's now: a test
 * program's boundaries follow its test clock.
 */
import { z } from 'zod';
import { nextBoundaries } from '../../domain/cycles.js';
import type { RetentionMode } from '../../domain/types.js';
import { localMinuteString } from '../../domain/zoned-time.js';
import { unprocessable } from '../../errors.js';
import { dateSchema } from '../../http/common-schemas.js';
import type { ProgramContext } from '../../program-context.js';
import { durationSchema } from './program-schemas.js';

export const cyclePreviewQuery = z
  .strictObject({
    count: z.coerce.number().int().min(1).max(12).default(3).describe('How many boundaries (1–12)'),
    every: durationSchema.optional().describe('Preview: cycle length to use instead of the saved one'),
    anchor: dateSchema.optional().describe('Preview: anchor date to use instead of the saved one'),
  })
  .refine((q) => (q.every === undefined) === (q.anchor === undefined), {
    path: ['every'],
    message: 'give both every and anchor (a preview of unsaved settings), or neither',
  });

export type CyclePreviewInput = z.output<typeof cyclePreviewQuery>;

export const cyclePreviewView = z.object({
  timezone: z.string(),
  mode: z.enum(['lifetime', 'continuous', 'cycle']).describe("The program's saved retention mode"),
  boundaries: z
    .array(
      z.object({
        at: z.string().describe('The boundary instant, UTC'),
        local: z.string().describe('The same instant on the program time zone wall clock, YYYY-MM-DDTHH:mm'),
      }),
    )
    .describe('Oldest first, strictly after the program now; empty without a cycle'),
});

/** Latest instant a boundary may be (what PostgreSQL and the API's instants hold). */
const MAX_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/** The next `count` boundaries after the program's now, of the saved cycle or of the previewed one. */
export function previewCycleBoundaries(ctx: ProgramContext, input: CyclePreviewInput) {
  const { timezone, retention } = ctx.program.settings;
  const mode: RetentionMode = retention.mode;
  const cycle =
    input.every !== undefined && input.anchor !== undefined
      ? { every: input.every, anchor: input.anchor }
      : retention.mode === 'cycle'
        ? retention.cycle
        : undefined;
  if (!cycle) return { timezone, mode, boundaries: [] };
  const dates = nextBoundaries(cycle, timezone, ctx.now, input.count);
  if (dates.some((d) => !(d.getTime() <= MAX_INSTANT))) {
    throw unprocessable('cycle_out_of_range', 'These cycle boundaries fall after the year 9999');
  }
  return {
    timezone,
    mode,
    boundaries: dates.map((d) => ({ at: d.toISOString(), local: localMinuteString(d, timezone) })),
  };
}
