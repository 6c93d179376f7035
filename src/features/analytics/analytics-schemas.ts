/** Query and response shapes of the analytics endpoints (SPEC 8). */
import { z } from 'zod';
import { dateSchema, instantStringSchema } from '../../http/common-schemas.js';

const date = dateSchema.describe('A local date in the program time zone, YYYY-MM-DD');

export const distributionQuery = z.strictObject({
  at: z
    .union([dateSchema, instantStringSchema])
    .optional()
    .describe('An instant with offset, or a date (= the end of that local day); default now'),
});

export const movementsQuery = z.strictObject({
  from: date,
  to: date.describe('Included'),
  interval: z.enum(['day', 'week']).default('day').describe('Weeks start on Monday (ISO)'),
});

export const earningsQuery = z.strictObject({ from: date, to: date.describe('Included') });

export type MovementsInput = z.output<typeof movementsQuery>;
export type EarningsInput = z.output<typeof earningsQuery>;

const tierRef = {
  id: z.string().nullable().describe('null: customers without a tier'),
  title: z.string().nullable(),
};

export const distributionView = z.object({
  at: z.string(),
  source: z.enum(['current', 'history']).describe('current placements, or reconstructed from tier changes'),
  total: z.number().int(),
  distribution: z.record(z.string(), z.number().int()).describe('Customers per tier id; "none" = no tier'),
  tiers: z.array(
    z.object({
      ...tierRef,
      rank: z.number().int().nullable(),
      enabled: z.boolean().nullable(),
      deleted: z.boolean(),
      customers: z.number().int(),
    }),
  ),
});

const reasons = z.record(z.string(), z.number().int());
const movementCounts = {
  upgrades: z.number().int().describe('Up from a tier'),
  downgrades: z.number().int(),
  entries: z.number().int().describe('Placed in a tier from no tier (new customers, mostly)'),
  upgradesByReason: reasons,
  downgradesByReason: reasons,
};

export const movementsView = z.object({
  from: z.string(),
  to: z.string(),
  interval: z.enum(['day', 'week']),
  timezone: z.string(),
  totals: z.object(movementCounts),
  buckets: z.array(
    z.object({ start: z.string().describe('Local start date of the bucket'), ...movementCounts }),
  ),
});

const earningCounts = {
  awarded: z.number().int().describe('Points of earn entries, multiplier included'),
  base: z.number().int().describe('The same points before the multiplier'),
  bonus: z.number().int().describe('Tier bonus points paid'),
  bonuses: z.number().int().describe('How many bonuses were paid'),
};

export const earningsView = z.object({
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  months: z.array(
    z.object({
      month: z.string().describe('YYYY-MM, local'),
      tiers: z.array(
        z.object({
          tierId: z.string().nullable(),
          title: z.string().nullable().describe('The tier title; null for entries without a tier'),
          ...earningCounts,
        }),
      ),
    }),
  ),
  tiers: z.array(z.object({ ...tierRef, ...earningCounts })).describe('Totals over the range per tier'),
});
