/** Request and response shapes of the program endpoints. */
import { z } from 'zod';
import { MAX_DOWNGRADE_WARNING_DAYS } from '../../domain/downgrade-warning.js';
import { hasAtMostDecimals, POINTS_PER_UNIT_DECIMALS } from '../../domain/earning.js';
import { isCurrency, isTimeZone } from '../../domain/money.js';
import { dateSchema, instantSchema } from '../../http/common-schemas.js';

/** ISO 8601 calendar duration (P90D, P3M, P1Y2M, P2W); zero durations are refused. */
export const durationSchema = z
  .string()
  .regex(/^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/, 'must be an ISO 8601 duration such as P90D, P3M or P1Y')
  .refine((s) => /[1-9]/.test(s), 'must be longer than zero');

export const retentionSchema = z
  .strictObject({
    mode: z.enum(['lifetime', 'continuous', 'cycle']),
    cycle: z.strictObject({ every: durationSchema, anchor: dateSchema }).optional(),
    maxDropPerCycle: z.number().int().min(1).max(20).optional(),
    inactivity: durationSchema.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.mode === 'cycle' && !r.cycle) {
      ctx.addIssue({
        code: 'custom',
        path: ['cycle'],
        message: 'mode "cycle" needs cycle { every, anchor }',
      });
    }
    if (r.mode !== 'cycle' && r.cycle) {
      ctx.addIssue({ code: 'custom', path: ['cycle'], message: 'cycle is only used with mode "cycle"' });
    }
    if (r.mode !== 'cycle' && r.maxDropPerCycle !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['maxDropPerCycle'], message: 'only used with mode "cycle"' });
    }
    if (r.mode === 'lifetime' && r.inactivity) {
      ctx.addIssue({
        code: 'custom',
        path: ['inactivity'],
        message: 'lifetime tiers are never lost to inactivity',
      });
    }
  });

const settingsFields = {
  tiersEnabled: z.boolean().optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
    .refine(isCurrency, 'unknown ISO 4217 currency')
    .optional(),
  timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris').optional(),
  earning: z
    .strictObject({
      pointsPerUnit: z
        .number()
        .positive('must be greater than 0')
        .max(1_000_000)
        .refine((v) => hasAtMostDecimals(v, POINTS_PER_UNIT_DECIMALS), 'at most 4 decimal places'),
    })
    .optional(),
  retention: retentionSchema.optional(),
  downgradeWarningDays: z
    .number()
    .int('must be a whole number of days')
    .min(0, 'must be 0 (off) or more')
    .max(MAX_DOWNGRADE_WARNING_DAYS, `at most ${MAX_DOWNGRADE_WARNING_DAYS} days`)
    .nullable()
    .optional()
    .describe(
      'Days before a cycle boundary that tier.downgrade_warning goes out to customers the boundary would downgrade; 0 or null = off; default 7',
    ),
};

export const createProgramBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    mode: z.enum(['live', 'test']).default('live'),
    clockStart: instantSchema.optional(),
    ...settingsFields,
  })
  .refine((b) => b.mode === 'test' || b.clockStart === undefined, {
    path: ['clockStart'],
    message: 'clockStart is only for test programs (mode "test")',
  });

export const updateProgramBody = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  mode: z.enum(['live', 'test']).optional(),
  ...settingsFields,
});

export type CreateProgramInput = z.output<typeof createProgramBody>;
export type UpdateProgramInput = z.output<typeof updateProgramBody>;

const retentionOut = z.object({
  mode: z.enum(['lifetime', 'continuous', 'cycle']),
  cycle: z.object({ every: z.string(), anchor: z.string() }).optional(),
  maxDropPerCycle: z.number().optional(),
  inactivity: z.string().optional(),
});

export const programView = z.object({
  id: z.string(),
  name: z.string(),
  mode: z.enum(['live', 'test']),
  tiersEnabled: z.boolean(),
  currency: z.string(),
  timezone: z.string(),
  earning: z.object({ pointsPerUnit: z.number() }),
  retention: retentionOut,
  downgradeWarningDays: z
    .number()
    .int()
    .describe('Lead time of tier.downgrade_warning in days before each cycle boundary; 0 = off'),
  clock: z.object({ now: z.string() }).nullable().describe('The test clock (test programs only)'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const createProgramResponse = z.object({
  program: programView,
  apiKey: z.string().describe('Shown once; store it now'),
});
