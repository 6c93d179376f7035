/** Request and response shapes of PUT /v1/tiers: replace the whole tier set in one step. */
import { z } from 'zod';
import { draftTierSchema } from '../simulations/draft-tiers.js';
import { designSchema, MAX_TIERS, tierView } from './tier-schemas.js';

/** A tier of the new set: a draft tier of POST /v1/simulations; `id` names a live tier to keep. */
export const tierSetEntry = draftTierSchema.extend({
  id: draftTierSchema.shape.id.describe(
    'A live tier id keeps (updates) that tier; without id a tier is created',
  ),
  design: designSchema
    .optional()
    .describe('Omitted: a kept tier keeps its pass design, a new one gets the default'),
});

export const tierSetBody = z.strictObject({
  expectedVersion: z
    .string()
    .min(1)
    .max(64)
    .describe('`version` of GET /v1/tiers (or `tiersVersion` of a simulation) the set was drafted on'),
  tiers: z
    .array(tierSetEntry)
    .min(1, 'at least one tier')
    .max(MAX_TIERS)
    .describe('The whole new set, lowest first; live tiers not listed are deleted'),
});

export type TierSetInput = z.output<typeof tierSetBody>;

export const tierSetView = z.object({
  data: z.array(tierView).describe('The live tiers, lowest first'),
  version: z.string().describe('Version of this tier set: send it as `expectedVersion` of the next PUT'),
});

export const tierSetResult = tierSetView.extend({
  created: z.array(z.string()).describe('Ids of the tiers created'),
  deleted: z.array(z.string()).describe('Ids of the tiers deleted (their members are reassigned at once)'),
  resync: z
    .enum(['immediate', 'debounced'])
    .describe(
      'immediate after a deletion or an enabled flag change; otherwise 5 minutes after the last change',
    ),
});
