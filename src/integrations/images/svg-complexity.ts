/**
 * Cheap refusals of SVGs that are safe (svg-safety.ts) but too costly to rasterise: inline
 * raster images are sized from their own headers (a 65 KB SVG may carry a 20000×20000 PNG
 * that librsvg would decode to 1.6 GB), and filter primitives whose cost grows with a
 * parameter are bounded. Text-level, before anything is decoded; the image child's CPU
 * and memory budget (image-work-pool.ts) is the fence behind it.
 */
import { badRequest, unprocessable } from '../../errors.js';
import { type ImageFormat, sniffImage } from './image-sniffer.js';

/** An inline raster image of an SVG. */
export interface EmbeddedRaster {
  /** Its format, from its own bytes. */
  format: ImageFormat | 'gif';
  /** The decoded bytes. */
  bytes: Buffer;
  /** Pixel size from its header. */
  width: number;
  /** Pixel height from its header. */
  height: number;
}

/** Bounds on filters; each is far beyond what a logo or strip uses. */
export const SVG_LIMITS = {
  /** Filter primitives (`<feGaussianBlur>`, …) in the whole document. */
  filterPrimitives: 32,
  /** `feTurbulence numOctaves` (each octave is a full noise pass per pixel). */
  turbulenceOctaves: 8,
  /** `feMorphology radius` in user units (cost grows with its square). */
  morphologyRadius: 16,
  /** `feConvolveMatrix order` (cost grows with its square). */
  convolveOrder: 9,
  /** `<use>` elements (each may instantiate a subtree). */
  useElements: 1000,
} as const;

const DATA_URI = /data:image\/(png|jpeg|jpg|webp|gif)((?:;[^,;"')<>]*)*),([^"')<>]*)/gi;

function gifSize(b: Buffer): { width: number; height: number } | null {
  if (b.length < 10 || !/^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) return null;
  return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
}

function unreadableEmbedded(detail: string) {
  return badRequest('artwork_unreadable', `An image embedded in the SVG could not be read: ${detail}`);
}

/** Every inline raster of the SVG text, sized from its header; throws `artwork_unreadable`. */
export function embeddedRasters(svg: string): EmbeddedRaster[] {
  const out: EmbeddedRaster[] = [];
  // Character references in attribute values are how the rasteriser will read them.
  const text = svg.replace(/&#(x[0-9a-f]+|[0-9]+);/gi, (_m, ref: string) =>
    String.fromCodePoint(ref[0] === 'x' || ref[0] === 'X' ? Number.parseInt(ref.slice(1), 16) : Number(ref)),
  );
  for (const m of text.matchAll(DATA_URI)) {
    const params = (m[2] ?? '').toLowerCase();
    const payload = m[3] ?? '';
    let bytes: Buffer;
    try {
      bytes = params.includes(';base64')
        ? Buffer.from(payload.replace(/\s/g, ''), 'base64')
        : Buffer.from(decodeURIComponent(payload), 'latin1');
    } catch {
      throw unreadableEmbedded('its data URI is malformed');
    }
    const gif = gifSize(bytes);
    const sniffed = gif ? { format: 'gif' as const, size: gif } : sniffImage(bytes);
    if (!sniffed || sniffed.format === 'svg') throw unreadableEmbedded('it is not a PNG, JPEG, WebP or GIF');
    if (!sniffed.size) throw unreadableEmbedded('its header is truncated');
    out.push({ format: sniffed.format, bytes, ...sniffed.size });
  }
  return out;
}

function tooComplex(what: string) {
  return unprocessable('artwork_too_complex', `The SVG is too costly to render: ${what}`);
}

function numbers(text: string, element: string, attribute: string): number[] {
  const out: number[] = [];
  const tags = new RegExp(`<(?:\\w+:)?${element}\\b[^>]*>`, 'gi');
  const attr = new RegExp(`\\s${attribute}\\s*=\\s*["']([^"']*)["']`, 'i');
  for (const tag of text.matchAll(tags)) {
    const value = attr.exec(tag[0])?.[1];
    if (value !== undefined)
      out.push(
        ...value
          .trim()
          .split(/[\s,]+/)
          .map(Number),
      );
  }
  return out;
}

/**
 * Throws when the SVG is too costly: inline rasters together over `maxPixels`
 * (`artwork_too_many_pixels`), or filters / `<use>` beyond SVG_LIMITS (`artwork_too_complex`).
 */
export function checkSvgComplexity(svg: string, maxPixels: number): EmbeddedRaster[] {
  const rasters = embeddedRasters(svg);
  const pixels = rasters.reduce((sum, r) => sum + r.width * r.height, 0);
  if (pixels > maxPixels) {
    const sizes = rasters.map((r) => `${r.width}×${r.height}`).join(', ');
    throw unprocessable(
      'artwork_too_many_pixels',
      `The SVG embeds images of ${pixels} pixels (${sizes}); at most ${maxPixels} are accepted`,
    );
  }
  const primitives = svg.match(/<(?:\w+:)?fe[A-Z]\w*/g)?.length ?? 0;
  if (primitives > SVG_LIMITS.filterPrimitives) {
    throw tooComplex(`${primitives} filter primitives (at most ${SVG_LIMITS.filterPrimitives})`);
  }
  const over = (values: number[], max: number) => values.some((v) => !(Math.abs(v) <= max));
  if (over(numbers(svg, 'feTurbulence', 'numOctaves'), SVG_LIMITS.turbulenceOctaves)) {
    throw tooComplex(`feTurbulence numOctaves over ${SVG_LIMITS.turbulenceOctaves}`);
  }
  if (over(numbers(svg, 'feMorphology', 'radius'), SVG_LIMITS.morphologyRadius)) {
    throw tooComplex(`feMorphology radius over ${SVG_LIMITS.morphologyRadius}`);
  }
  if (over(numbers(svg, 'feConvolveMatrix', 'order'), SVG_LIMITS.convolveOrder)) {
    throw tooComplex(`feConvolveMatrix order over ${SVG_LIMITS.convolveOrder}`);
  }
  const uses = svg.match(/<(?:\w+:)?use[\s/>]/g)?.length ?? 0;
  if (uses > SVG_LIMITS.useElements) {
    throw tooComplex(`${uses} <use> elements (at most ${SVG_LIMITS.useElements})`);
  }
  return rasters;
}
