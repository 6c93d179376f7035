/** Request and response shapes of the tier endpoints (SPEC 2.1–2.2). */
import { z } from 'zod';
import { hasAtMostDecimals, MULTIPLIER_DECIMALS } from '../../domain/earning.js';
import { amountSchema, labelSchema } from '../../http/common-schemas.js';
import { passDesignSchema } from '../passes/pass-design-schemas.js';
import { durationSchema } from '../programs/program-schemas.js';

/** Most tiers a program may have. */
export const MAX_TIERS = 20;

const minPoints = z.number().int().min(0).max(10_000_000_000);
const enabled = z.boolean().optional();

export const qualificationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('tag'), tag: labelSchema, enabled }),
  z.strictObject({ type: z.literal('segment'), segment: labelSchema, enabled }),
  z.strictObject({ type: z.literal('largeOrder'), minAmount: amountSchema, enabled }),
  z.strictObject({
    type: z.literal('orderVolume'),
    minAmount: amountSchema,
    window: durationSchema,
    enabled,
  }),
  z.strictObject({ type: z.literal('lifetimePoints'), minPoints, enabled }),
  z.strictObject({ type: z.literal('lifetimeSpend'), minAmount: amountSchema, enabled }),
  z.strictObject({ type: z.literal('carryPoints'), minPoints, enabled }),
]);

const qualificationList = z.array(qualificationSchema).max(10, 'at most 10 conditions');

export const benefitsSchema = z.strictObject({
  tag: labelSchema.optional(),
  multiplier: z
    .number()
    .gt(0, 'must be greater than 0')
    .max(100)
    .refine((v) => hasAtMostDecimals(v, MULTIPLIER_DECIMALS), 'at most 3 decimal places')
    .optional(),
  bonusPoints: z.number().int().min(0).max(1_000_000_000).optional(),
  rewards: z.array(z.string().trim().min(1).max(200)).max(20).optional(),
});

/**
 * The tier's pass design (colours, labels, texts): the same strict schema as
 * PUT /v1/tiers/{tierId}/design, so no route stores a design the passes cannot use.
 */
export const designSchema = passDesignSchema;

const tierFields = {
  title: z.string().trim().min(1).max(100),
  icon: z.string().trim().min(1).max(500).nullable(),
  visible: z.boolean(),
  enabled: z.boolean(),
  qualifications: qualificationList,
  maintain: qualificationList.nullable(),
  benefits: benefitsSchema,
  design: designSchema,
};

export const createTierBody = z.strictObject({
  title: tierFields.title,
  icon: tierFields.icon.default(null),
  visible: tierFields.visible.default(true),
  enabled: tierFields.enabled.default(true),
  qualifications: tierFields.qualifications.default([]),
  maintain: tierFields.maintain.default(null),
  benefits: tierFields.benefits.default({}),
  design: tierFields.design.default({}),
});

export const updateTierBody = z.strictObject({
  title: tierFields.title.optional(),
  icon: tierFields.icon.optional(),
  visible: tierFields.visible.optional(),
  enabled: tierFields.enabled.optional(),
  qualifications: tierFields.qualifications.optional(),
  maintain: tierFields.maintain.optional(),
  benefits: tierFields.benefits.optional(),
  design: tierFields.design.optional(),
});

export const tierOrderBody = z.strictObject({
  tierIds: z.array(z.string().min(1).max(64)).max(MAX_TIERS),
});

export const tierIdParams = z.object({ tierId: z.string().min(1).max(64) });

export type CreateTierInput = z.output<typeof createTierBody>;
export type UpdateTierInput = z.output<typeof updateTierBody>;

export const tierView = z.object({
  id: z.string(),
  rank: z.number().int(),
  title: z.string(),
  icon: z.string().nullable(),
  visible: z.boolean(),
  enabled: z.boolean(),
  qualifications: z.array(z.record(z.string(), z.unknown())),
  maintain: z.array(z.record(z.string(), z.unknown())).nullable(),
  benefits: z.record(z.string(), z.unknown()),
  design: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const tierList = z.object({ data: z.array(tierView) });
