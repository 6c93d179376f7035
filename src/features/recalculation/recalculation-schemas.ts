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
