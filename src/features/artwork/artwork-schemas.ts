/** Request and response shapes of the artwork endpoints (SPEC 7). */
import { z } from 'zod';
import { SLOTS } from './artwork-slots.js';

export const artworkSlotParams = z.object({
  tierId: z.string().min(1).max(64),
  // Any name: an unknown slot is a 404 (artwork_slot_not_found), not a validation error.
  slot: z
    .string()
    .min(1)
    .max(64)
    .describe(`One of ${SLOTS.join(', ')}`),
});

export const artworkVariantParams = artworkSlotParams.extend({
  variant: z.string().min(1).max(64).describe('Variant file name, e.g. icon@2x.png or google-hero.png'),
});

export const artworkSlotView = z.object({
  slot: z.string(),
  hash: z.string().describe('SHA-256 of the uploaded bytes; the ETag of its variants'),
  contentType: z.string().describe('Sniffed from the bytes'),
  width: z.number().int(),
  height: z.number().int(),
  variants: z.array(
    z.object({
      name: z.string(),
      width: z.number().int(),
      height: z.number().int(),
      bytes: z.number().int(),
    }),
  ),
  updatedAt: z.string(),
});

export const artworkList = z.object({ data: z.array(artworkSlotView) });

/**
 * The fields of a stored slot the API shows (an `ArtworkSlotRecord` fits; declared here so this
 * file stays free of Node types: the console imports its schemas).
 */
export interface ArtworkSlotFields {
  slot: string;
  hash: string;
  contentType: string;
  width: number;
  height: number;
  variants: readonly { name: string; width: number; height: number; bytes: number }[];
  updatedAt: Date;
}

/** The slot as the merchant API shows it. */
export function artworkView(s: ArtworkSlotFields): z.output<typeof artworkSlotView> {
  return {
    slot: s.slot,
    hash: s.hash,
    contentType: s.contentType,
    width: s.width,
    height: s.height,
    variants: s.variants.map(({ name, width, height, bytes }) => ({ name, width, height, bytes })),
    updatedAt: s.updatedAt.toISOString(),
  };
}
