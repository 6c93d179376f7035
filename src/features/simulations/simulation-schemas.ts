/** Request and response shapes of POST /v1/simulations (SPEC 8, "test before launch"). */
import { z } from 'zod';
import { retentionSchema } from '../programs/program-schemas.js';
import { draftTierList } from './draft-tiers.js';

export const simulationBody = z.strictObject({
  tiers: draftTierList.describe(
    'The draft tiers, lowest first; same body as POST /v1/tiers plus an optional id',
  ),
  retention: retentionSchema
    .optional()
    .describe("Retention to simulate with; default the program's. Decides who keeps a carried-over tier"),
});

export type SimulationInput = z.output<typeof simulationBody>;

const counts = z.record(z.string(), z.number().int()).describe('Customers per tier id; "none" = no tier');

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
  moves: z
    .array(z.object({ from: z.string(), to: z.string(), customers: z.number().int() }))
    .describe('Customer counts per (current → simulated) pair, largest first'),
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
