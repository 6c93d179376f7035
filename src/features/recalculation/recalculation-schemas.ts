/** Request and response shapes of the sync and job endpoints (SPEC 2: manual full sync with progress). */
import { z } from 'zod';
import { instantSchema } from '../../http/common-schemas.js';

export const jobIdParams = z.object({ jobId: z.string().min(1).max(64) });

export const syncStarted = z.object({ jobId: z.string() });

export const jobView = z.object({
  id: z.string(),
  kind: z.enum(['cycle', 'daily', 'resync', 'sync', 'warning']),
  state: z.enum(['pending', 'running', 'done', 'failed']),
  processed: z.number().int(),
  total: z.number().int(),
  asOf: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

const RUN_KINDS = ['cycle', 'daily', 'resync', 'sync', 'warning'] as const;

/** A page cursor of GET /v1/runs: base64url of `<asOf ISO>|<run id>` of the page's last run. */
export const runCursorSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be a cursor returned as nextCursor')
  .transform((text, ctx) => {
    const [asOf, id, extra] = Buffer.from(text, 'base64url').toString('utf8').split('|');
    const at = asOf ? new Date(asOf) : null;
    if (!at || Number.isNaN(at.getTime()) || !id || extra !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be a cursor returned as nextCursor' });
      return z.NEVER;
    }
    return { asOf: at, id };
  });

/** The cursor after `run` (the inverse of runCursorSchema). */
export function runCursor(run: { asOf: string; id: string }): string {
  return Buffer.from(`${run.asOf}|${run.id}`, 'utf8').toString('base64url');
}

export const runsQuery = z.strictObject({
  from: instantSchema.optional().describe('Runs due at or after this instant'),
  to: instantSchema.optional().describe('Runs due before this instant'),
  kind: z
    .string()
    .max(100)
    .transform((text, ctx) => {
      const kinds = text.split(',');
      const bad = kinds.filter((k) => !(RUN_KINDS as readonly string[]).includes(k));
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `kinds are ${RUN_KINDS.join(', ')} (comma-separated)` });
        return z.NEVER;
      }
      return [...new Set(kinds)] as (typeof RUN_KINDS)[number][];
    })
    .optional()
    .describe('Only these kinds, comma-separated: cycle, daily, resync, sync, warning'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: runCursorSchema.optional(),
});

export const runListItem = jobView.extend({
  jobId: z.string().describe('Same as id: the job id of GET /v1/jobs/{jobId}'),
  at: z.string().describe('When the run fell due: the cycle boundary, the day, the resync or sync time'),
  startedAt: z.string().nullable(),
  error: z.string().nullable(),
  counts: z.object({
    movedUp: z.number().int().describe('Customers moved to a higher tier'),
    movedDown: z.number().int().describe('Customers moved to a lower tier'),
    warned: z.number().int().describe('Downgrade warnings written (warning runs)'),
  }),
});

export const runsPage = z.object({ data: z.array(runListItem), nextCursor: z.string().nullable() });
