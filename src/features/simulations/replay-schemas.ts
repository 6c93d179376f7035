/** Request and response shapes of POST /v1/simulations/replay (a pure replay, no writes). */
import { z } from 'zod';
import {
  externalIdSchema,
  instantSchema,
  labelSchema,
  pointsSchema,
  positiveAmountSchema,
} from '../../http/common-schemas.js';
import { updateProgramBody } from '../programs/program-schemas.js';
import { draftTierList } from './draft-tiers.js';

/** Most customers in one replay (the replay runs in the request, CPU-bound). */
export const MAX_REPLAY_CUSTOMERS = 100;
/** Most events in one replay. */
export const MAX_REPLAY_EVENTS = 10_000;

const labels = z.array(labelSchema).max(250);
const at = instantSchema.describe('When the event happens (program time), ISO 8601 with offset');
const note = z.string().trim().min(1).max(200);

export const EVENT_TYPES = ['order', 'refund', 'points', 'redemption', 'customer'] as const;

export const replayEventSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('order'),
      at,
      id: externalIdSchema,
      customerId: externalIdSchema,
      amount: positiveAmountSchema.describe('Order value in minor units'),
      placedAt: instantSchema.optional().describe('Default: `at`; never later than it'),
    }),
    z.strictObject({
      type: z.literal('refund'),
      at,
      orderId: externalIdSchema.describe('An order event earlier in the list'),
      amount: positiveAmountSchema,
      id: externalIdSchema.optional(),
    }),
    z.strictObject({
      type: z.literal('points'),
      at,
      customerId: externalIdSchema,
      points: pointsSchema.refine((p) => p !== 0, 'must not be 0'),
      qualifying: z.boolean().optional().describe('Default: points > 0'),
      reason: note.optional(),
    }),
    z.strictObject({
      type: z.literal('redemption'),
      at,
      customerId: externalIdSchema,
      points: pointsSchema.refine((p) => p > 0, 'must be greater than 0'),
      reward: note.optional(),
    }),
    z.strictObject({
      type: z.literal('customer'),
      at,
      customerId: externalIdSchema,
      tags: labels.optional().describe("Replaces the customer's merchant tags"),
      segments: labels.optional(),
    }),
  ],
  { error: `type must be one of ${EVENT_TYPES.join(', ')}` },
);

export const replayCustomerSchema = z.strictObject({
  id: externalIdSchema,
  createdAt: instantSchema.optional().describe('Default: the replay start'),
  tags: labels.optional(),
  segments: labels.optional(),
});

export const replayBody = z.strictObject({
  program: updateProgramBody
    .omit({ name: true, mode: true })
    .optional()
    .describe("Settings overriding the program's own (nested objects replace whole)"),
  tiers: draftTierList.optional().describe("Tiers, lowest first; default the program's live tiers"),
  customers: z.array(replayCustomerSchema).min(1).max(MAX_REPLAY_CUSTOMERS),
  events: z
    .array(replayEventSchema)
    .max(MAX_REPLAY_EVENTS)
    .describe('In time order (non-decreasing `at`), none after `until`'),
  from: instantSchema.optional().describe('Replay start; default the earliest customer creation or event'),
  until: instantSchema.describe('Everything up to and including this instant runs'),
});

export type ReplayBody = z.output<typeof replayBody>;
export type ReplayEventInput = z.output<typeof replayEventSchema>;

const balances = z.object({
  current: z.number().int(),
  carry: z.number().int(),
  lifetimeEarned: z.number().int(),
  lifetimeSpend: z.number().int(),
});

const change = z.object({
  at: z.string(),
  fromTierId: z.string().nullable(),
  toTierId: z.string().nullable(),
  direction: z.enum(['up', 'down']),
  reason: z.string(),
  bonus: z.number().int().describe('Entry bonus paid with the change, 0 when none'),
  tagsAdded: z.array(z.string()),
  tagsRemoved: z.array(z.string()),
  facts: z.record(z.string(), z.unknown()).describe('What decided the change (tiers tested, conditions)'),
});

const entry = z.object({
  at: z.string(),
  type: z.enum(['earn', 'bonus', 'redeem', 'adjust', 'refund_reversal', 'carry_reset']),
  points: z.number().int(),
  base: z.number().int().nullable(),
  multiplier: z.number().nullable(),
  orderId: z.string().nullable(),
  tierId: z.string().nullable(),
  delta: balances,
});

export const replayView = z.object({
  from: z.string(),
  until: z.string(),
  boundaries: z.array(z.string()).describe('Cycle boundaries in (from, until]'),
  tiers: z.array(z.object({ id: z.string(), title: z.string(), rank: z.number().int() })),
  customers: z.array(
    z.object({
      id: z.string(),
      tierId: z.string().nullable(),
      balances,
      tierTags: z.array(z.string()),
      bonusedTierIds: z.array(z.string()),
      timeline: z.array(change),
      ledger: z.array(entry),
    }),
  ),
  rejected: z
    .array(z.object({ index: z.number().int(), code: z.string(), message: z.string() }))
    .describe('Events the live API would refuse with 422 (e.g. insufficient points); they change nothing'),
  warnings: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })),
});
