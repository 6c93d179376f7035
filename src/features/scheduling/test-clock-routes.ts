/** The test clock of a test program (API.md "Test mode and the test clock"). */
import { z } from 'zod';
import { addDuration } from '../../domain/duration.js';
import { AppError, unprocessable } from '../../errors.js';
import { instantSchema } from '../../http/common-schemas.js';
import type { ApiRegistry } from '../../http/route.js';
import type { ProgramContext } from '../../program-context.js';
import { durationSchema } from '../programs/program-schemas.js';
import type { SchedulingService } from './scheduling-service.js';

/** Longest single advance: bounds the work one request can start (about 10 years of daily syncs). */
export const MAX_ADVANCE_MS = 3660 * 24 * 3600 * 1000;

const advanceBody = z
  .strictObject({
    to: instantSchema.optional().describe('Target time; later than the clock now'),
    by: durationSchema
      .optional()
      .describe("Or a duration to advance by (P1D, P1M), counted on the program time zone's calendar"),
  })
  .refine((b) => (b.to === undefined) !== (b.by === undefined), {
    message: 'give either to or by',
    path: ['to'],
  });
const clockView = z.object({ now: z.string() });
const advanceView = z.object({
  now: z.string(),
  ran: z.array(
    z.object({
      kind: z.enum(['cycle', 'daily', 'resync', 'warning']),
      at: z.string(),
      jobId: z.string(),
      state: z.string(),
      processed: z.number().int(),
      total: z.number().int(),
    }),
  ),
});

function testProgram(ctx: ProgramContext): void {
  if (ctx.program.mode !== 'test') {
    throw new AppError(
      409,
      'not_a_test_program',
      'Only test programs have a test clock; live programs follow real time',
    );
  }
}

export function registerTestClockRoutes(api: ApiRegistry, scheduling: SchedulingService): void {
  api.add({
    method: 'get',
    path: '/v1/test-clock',
    summary: "The test program's clock",
    tag: 'Test clock',
    auth: 'apiKey',
    responses: { 200: { description: 'The clock', schema: clockView } },
    async handler({ ctx }) {
      testProgram(ctx);
      return { status: 200, body: { now: ctx.now.toISOString() } };
    },
  });
  api.add({
    method: 'post',
    path: '/v1/test-clock/advance',
    summary: 'Move the clock forward, running everything that falls due in time order; returns when done',
    tag: 'Test clock',
    auth: 'apiKey',
    expensive: 'test-clock-advance',
    body: advanceBody,
    responses: { 200: { description: 'The new time and what ran', schema: advanceView } },
    async handler({ ctx, body }) {
      testProgram(ctx);
      // `by` is read on the program's calendar: P1M from 31 Jan is the end of February there.
      const to = body.to ?? addDuration(ctx.now, body.by as string, ctx.program.settings.timezone);
      const span = to.getTime() - ctx.now.getTime();
      if (span <= 0) {
        throw unprocessable(
          'clock_not_forward',
          `to must be later than the clock (${ctx.now.toISOString()})`,
        );
      }
      if (!(span <= MAX_ADVANCE_MS))
        throw unprocessable('advance_too_far', 'Advance at most 10 years at a time');
      const ran = await scheduling.runDue(ctx.program, to);
      return { status: 200, body: { now: to.toISOString(), ran } };
    },
  });
}
