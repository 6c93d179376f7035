/**
 * The query of GET /v1/runs (server only: its cursor is base64url through node's Buffer, and the
 * console imports the schemas module).
 */
import { z } from 'zod';
import { instantSchema } from '../../http/common-schemas.js';

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
