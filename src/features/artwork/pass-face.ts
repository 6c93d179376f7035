/**
 * What a tier's preview shows, from its design, title and artwork, and the preview's
 * cache key: a hash of exactly those inputs, so any change draws a new one.
 */
import { createHash } from 'node:crypto';
import type { PassFace, Rgb } from '../../integrations/images/pass-face-renderer.js';
import type { TierRecord } from '../../store/port.js';

/** Used when the design sets no (valid) colour. */
export const DEFAULT_COLORS = {
  backgroundColor: { r: 31, g: 41, b: 55 },
  foregroundColor: { r: 255, g: 255, b: 255 },
  labelColor: { r: 209, g: 213, b: 219 },
} as const;

/** Bumped when the layout changes, so cached previews are drawn again. */
const LAYOUT_VERSION = 1;

/** `#rgb`, `#rrggbb` or PassKit's `rgb(r, g, b)`; null for anything else. */
export function parseColor(value: unknown): Rgb | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(v)?.[1];
  if (hex) {
    const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
    const n = Number.parseInt(full, 16);
    return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255 };
  }
  const rgb = /^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$/i.exec(v);
  if (rgb) {
    const [r, g, b] = [rgb[1], rgb[2], rgb[3]].map(Number) as [number, number, number];
    if (r <= 255 && g <= 255 && b <= 255) return { r, g, b };
  }
  return null;
}

/** Points of a member who just entered the tier: its lowest points threshold, else 0. */
function samplePoints(tier: TierRecord): number {
  const thresholds = tier.qualifications.flatMap((q) =>
    q.type === 'lifetimePoints' || q.type === 'carryPoints' ? [q.minPoints] : [],
  );
  return thresholds.length > 0 ? Math.min(...thresholds) : 0;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/**
 * The preview's inputs besides the artwork bytes, from the design's fields as
 * PUT /v1/tiers/{tierId}/design stores them (colours, `logoText`, `labels`). The tier
 * colour of the strip overlay is the card's background colour.
 */
export function passFaceOf(tier: TierRecord): Omit<PassFace, 'logo' | 'strip'> {
  const d = tier.design;
  const labels =
    typeof d.labels === 'object' && d.labels !== null ? (d.labels as Record<string, unknown>) : {};
  const backgroundColor = parseColor(d.backgroundColor) ?? DEFAULT_COLORS.backgroundColor;
  return {
    backgroundColor,
    foregroundColor: parseColor(d.foregroundColor) ?? DEFAULT_COLORS.foregroundColor,
    labelColor: parseColor(d.labelColor) ?? DEFAULT_COLORS.labelColor,
    tierColor: backgroundColor,
    title: tier.title,
    logoText: text(d.logoText),
    tierLabel: (text(labels.tier) ?? 'Tier').toUpperCase(),
    pointsLabel: (text(labels.points) ?? 'Points').toUpperCase(),
    points: samplePoints(tier).toLocaleString('en-US'),
  };
}

/** Cache key of a preview: its face (design colours, title, points) and the artwork hashes used. */
export function previewKey(face: Omit<PassFace, 'logo' | 'strip'>, artwork: Record<string, string>): string {
  const input = JSON.stringify({ v: LAYOUT_VERSION, face, artwork });
  return createHash('sha256').update(input).digest('hex');
}
