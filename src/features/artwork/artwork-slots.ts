/**
 * The artwork slots of a tier and what each renders to: Apple's pass images at
 * @1x/@2x/@3x (named as the .pkpass bundle expects) and Google Wallet's images.
 */

/**
 * One output image of a slot: the renderer's `RenderTarget` (integrations/images), declared
 * structurally here so this table stays free of Node types; the console imports it for each
 * slot's size guidance.
 */
export interface RenderTarget {
  /** File name of the result, e.g. `strip@2x.png`. */
  name: string;
  /** Box width in pixels. */
  width: number;
  /** Box height in pixels. */
  height: number;
  /** `cover`: cropped to fill the box; `inside`: fit within it; `contain`: letterboxed. */
  fit: 'cover' | 'inside' | 'contain';
}

export const SLOTS = ['logo', 'icon', 'strip', 'hero'] as const;
export type Slot = (typeof SLOTS)[number];

export function isSlot(value: string): value is Slot {
  return (SLOTS as readonly string[]).includes(value);
}

export interface SlotSpec {
  /** Smallest accepted raster source (SVG is rasterised large enough instead). */
  minWidth: number;
  /** Smallest accepted raster source height. */
  minHeight: number;
  /** Every image rendered from the upload. */
  targets: RenderTarget[];
}

/** Apple point size at @1x/@2x/@3x: `icon.png`, `icon@2x.png`, `icon@3x.png`. */
function apple(base: string, width: number, height: number, fit: RenderTarget['fit']): RenderTarget[] {
  return [1, 2, 3].map((scale) => ({
    name: scale === 1 ? `${base}.png` : `${base}@${scale}x.png`,
    width: width * scale,
    height: height * scale,
    fit,
  }));
}

/**
 * icon 29×29 pt (square crop); logo at most 160×50 pt (fit inside, so a variant may be
 * smaller on one side); strip 375×123 pt (cover). Google: program logo 660×660 (the logo
 * letterboxed on transparent), hero 1032×336 (cover). Minimums: the icon's @3x, a logo
 * with a 50 px short side, the strip's @1x, the hero's own size.
 */
export const SLOT_SPECS: Record<Slot, SlotSpec> = {
  icon: { minWidth: 87, minHeight: 87, targets: apple('icon', 29, 29, 'cover') },
  logo: {
    minWidth: 50,
    minHeight: 50,
    targets: [
      ...apple('logo', 160, 50, 'inside'),
      { name: 'google-program-logo.png', width: 660, height: 660, fit: 'contain' },
    ],
  },
  strip: { minWidth: 375, minHeight: 123, targets: apple('strip', 375, 123, 'cover') },
  hero: {
    minWidth: 1032,
    minHeight: 336,
    targets: [{ name: 'google-hero.png', width: 1032, height: 336, fit: 'cover' }],
  },
};

/** Names of the slots' variants that belong in an Apple pass bundle. */
export function isApplePassImage(name: string): boolean {
  return /^(icon|logo|strip)(@[23]x)?\.png$/.test(name);
}
