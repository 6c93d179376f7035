/** Request and response shapes of the sync and job endpoints (SPEC 2: manual full sync with progress). */
import { z } from 'zod';

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
