/** The merchant's pass design for a tier (PUT /v1/tiers/{tierId}/design) and the passes endpoints' shapes. */
import { z } from 'zod';

const RGB = /^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$/i;
const HEX = /^#([0-9a-f]{6}|[0-9a-f]{3})$/i;

/** `#d4af37`, `#fc0` or `rgb(212, 175, 55)` → the `rgb(r, g, b)` form pass.json wants. */
export const colorSchema = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const rgb = RGB.exec(v);
    let parts: number[] | undefined;
    if (rgb) parts = [rgb[1], rgb[2], rgb[3]].map(Number);
    else if (HEX.test(v)) {
      const hex = v.length === 4 ? [...v.slice(1)].map((c) => c + c).join('') : v.slice(1);
      parts = [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
    }
    if (!parts || parts.some((p) => p > 255)) {
      ctx.addIssue({ code: 'custom', message: 'must be a colour like #d4af37 or rgb(212, 175, 55)' });
      return z.NEVER;
    }
    return `rgb(${parts.join(', ')})`;
  })
  .meta({ examples: ['#d4af37', 'rgb(212, 175, 55)'] });

const shortText = z.string().trim().min(1).max(40);
const longText = z.string().trim().min(1).max(2000);

export const passDesignSchema = z.strictObject({
  foregroundColor: colorSchema.optional(),
  backgroundColor: colorSchema.optional(),
  labelColor: colorSchema.optional(),
  /** Text next to the logo; the program name when absent. */
  logoText: shortText.optional(),
  /** Accessibility description of the pass. */
  description: z.string().trim().min(1).max(200).optional(),
  /** Field labels replacing the localised defaults (then shown as written, in every language). */
  labels: z
    .strictObject({
      tier: shortText.optional(),
      points: shortText.optional(),
      progress: shortText.optional(),
      rewards: shortText.optional(),
      member: shortText.optional(),
    })
    .optional(),
  /** Texts on the back of the pass. */
  texts: z
    .strictObject({
      about: longText.optional(),
      terms: longText.optional(),
      contact: z.string().trim().min(1).max(500).optional(),
    })
    .optional(),
});

/** A validated, normalised tier design. */
export type PassDesign = z.output<typeof passDesignSchema>;

export const passTokenParams = z.object({ token: z.string().min(1).max(2000) });
export const passLinkView = z.object({ url: z.string() });
export const designView = z.object({ tierId: z.string(), design: z.record(z.string(), z.unknown()) });
