/** Request and response shapes of POST /v1/simulations (SPEC 8, "test before launch"). */
import { z } from 'zod';
import { externalIdSchema } from '../../http/common-schemas.js';
import { retentionSchema } from '../programs/program-schemas.js';
import { draftTierList } from './draft-tiers.js';

/** Default and largest page of `movers`. */
export const DEFAULT_MOVERS_PAGE = 50;
export const MAX_MOVERS_PAGE = 200;

export const simulationBody = z.strictObject({
  tiers: draftTierList.describe(
    'The draft tiers, lowest first; same body as POST /v1/tiers plus an optional id',
  ),
  retention: retentionSchema
    .optional()
    .describe("Retention to simulate with; default the program's. Decides who keeps a carried-over tier"),
  moversLimit: z
    .number()
    .int()
    .min(1)
    .max(MAX_MOVERS_PAGE)
    .default(DEFAULT_MOVERS_PAGE)
    .describe('How many customers who would move to list (a page, by customer id)'),
  moversCursor: externalIdSchema
    .optional()
    .describe('The `movers.nextCursor` of the previous answer: the next page of customers who would move'),
});

export type SimulationInput = z.output<typeof simulationBody>;

const counts = z.record(z.string(), z.number().int()).describe('Customers per tier id; "none" = no tier');

const tierRef = z.object({ id: z.string(), title: z.string() }).nullable().describe('null: no tier');

/** Customers per tier with its title, lowest first, then "no tier" (id null). */
const titledCounts = z.array(
  z.object({ id: z.string().nullable(), title: z.string().nullable(), customers: z.number().int() }),
);

const issue = z.object({ path: z.string(), code: z.string(), message: z.string() });

export const simulationView = z.object({
  asOf: z.string().describe('The instant the customers were evaluated at (the program now)'),
  customers: z.number().int().describe('Customers evaluated'),
  current: counts.describe('Today: customers per current tier ("none" = no tier)'),
  simulated: counts.describe(
    'Where a resync under the draft would place them now, retention applied to tiers kept by id',
  ),
  qualified: counts.describe('Where their qualifications alone would place them (no retention)'),
  changed: z.number().int().describe('Customers whose simulated tier differs from their current one'),
  currentTiers: titledCounts.describe('`current` with titles: live tiers lowest first, then no tier'),
  simulatedTiers: titledCounts.describe('`simulated` with titles: draft tiers lowest first, then no tier'),
  moves: z
    .array(
      z.object({
        from: z.string(),
        fromTitle: z.string().nullable().describe('null for "none"'),
        to: z.string(),
        toTitle: z.string().nullable(),
        customers: z.number().int(),
      }),
    )
    .describe('Customer counts per (current → simulated) pair that changes tier, largest first'),
  movers: z
    .object({
      data: z.array(
        z.object({
          customerId: z.string(),
          email: z.string().nullable(),
          name: z.string().nullable(),
          from: tierRef,
          to: tierRef,
        }),
      ),
      nextCursor: z
        .string()
        .nullable()
        .describe('Send as `moversCursor` for the next page; null on the last'),
    })
    .describe('Customers who would change tier, by customer id, one page'),
  tiersVersion: z
    .string()
    .describe('Version of the live tier set simulated against: `expectedVersion` of PUT /v1/tiers'),
  tiers: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      rank: z.number().int(),
      enabled: z.boolean(),
      existing: z.boolean().describe('The id is one of the live tiers'),
    }),
  ),
  warnings: z.array(issue).describe('Settings in the draft that have no effect'),
});
