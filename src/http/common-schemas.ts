/** Schemas shared by several features' request validation. */
import { z } from 'zod';

/** Money in minor units: a non-negative integer no larger than 10^12. */
export const MAX_AMOUNT = 1_000_000_000_000;
/** Points in one event, either sign. */
export const MAX_POINTS = 10_000_000_000;

export const amountSchema = z
  .number({ error: 'must be an integer amount in minor units' })
  .int('must be an integer amount in minor units (cents)')
  .min(0, 'must not be negative')
  .max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT} minor units`);

export const positiveAmountSchema = amountSchema.refine((v) => v > 0, 'must be greater than 0');

export const pointsSchema = z
  .number({ error: 'must be an integer number of points' })
  .int('must be an integer number of points')
  .min(-MAX_POINTS)
  .max(MAX_POINTS);

/** Merchant-chosen identifiers (customer, order, refund ids). */
export const externalIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7E]+$/, 'must be 1–128 printable ASCII characters without spaces');

/**
 * Instants PostgreSQL and JavaScript both hold and round-trip: years 1 to 9999 in UTC. The
 * node-postgres encoding of a Date before year 1 is refused by PostgreSQL (a 500 before).
 */
const MIN_INSTANT = Date.parse('0001-01-01T00:00:00Z');
const MAX_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');
const INSTANT_RANGE = 'must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z';

/** ISO 8601 instant with an explicit offset (Z or ±hh:mm), as the string given. */
export const instantStringSchema = z.iso.datetime({ offset: true }).refine((s) => {
  const t = Date.parse(s);
  return t >= MIN_INSTANT && t <= MAX_INSTANT;
}, INSTANT_RANGE);

/** ISO 8601 instant with an explicit offset (Z or ±hh:mm). */
export const instantSchema = instantStringSchema.transform((s) => new Date(s));

/** ISO 8601 date-only, e.g. 2025-01-01, from year 1 (there is no year 0 in PostgreSQL). */
export const dateSchema = z.iso.date().refine((s) => !s.startsWith('0000'), 'must be from year 0001 on');

/** A tag or segment name. */
export const labelSchema = z.string().trim().min(1).max(255);

export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces');

/** Largest value of a PostgreSQL bigint (int8): ids and cursors of bigint columns stay within it. */
export const MAX_INT8 = 9_223_372_036_854_775_807n;

/** A bigint id or cursor given as a decimal string, within int8 range. */
export const int8StringSchema = (message: string) =>
  z
    .string()
    .regex(/^\d{1,19}$/, message)
    .refine((s) => !/^\d{1,19}$/.test(s) || BigInt(s) <= MAX_INT8, message)
    .describe(`A decimal integer from 0 to ${MAX_INT8}`);
