/**
 * PassFaceRenderer on sharp (libvips): decoding bounded by `limitInputPixels`, PNG output.
 * In-process, so nothing bounds its time or native memory: the service runs it inside the
 * image child processes (isolated-pass-face-renderer.ts); tests and benches use it directly.
 */
import sharp, { type OverlayOptions, type Sharp } from 'sharp';
import { AppError } from '../../http/errors.js';
import { checkDeclaredSize } from './image-integrity.js';
import type {
  PassFace,
  PassFaceRenderer,
  RenderedImage,
  RenderTarget,
  Rgb,
  SourceImage,
} from './pass-face-renderer.js';
import { embeddedRasters } from './svg-complexity.js';

export interface SharpRendererOptions {
  /** Decoders refuse inputs with more pixels than this (sharp `limitInputPixels`). */
  maxInputPixels: number;
}

/** Preview layout, in pixels of a 375 pt wide pass at @2x. */
const W = 750;
const H = 940;
const HEADER = 150;
const STRIP = { top: 150, height: 246 };
const LOGO_BOX = { left: 30, width: 320, height: 100 };
const OVERLAY_ALPHA = 0.45;
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

function unreadable(err: unknown): AppError {
  const detail = err instanceof Error ? err.message.trim() : String(err);
  return new AppError(400, 'artwork_unreadable', `The image could not be decoded: ${detail}`);
}

function css(c: Rgb): string {
  return `rgb(${c.r},${c.g},${c.b})`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Texts, the barcode placeholder and rounded corners are one SVG layer. */
function textLayer(face: PassFace): Buffer {
  const fg = css(face.foregroundColor);
  const label = css(face.labelColor);
  const title = escapeXml(face.title);
  // Beside the logo box (which logos narrower than the box leave partly empty).
  const logoText = face.logoText
    ? `<text x="${LOGO_BOX.left + LOGO_BOX.width + 20}" y="${HEADER / 2 + 12}" font-family="${FONT}" font-size="34" fill="${fg}">${escapeXml(face.logoText)}</text>`
    : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
  ${logoText}
  <text x="30" y="${STRIP.top + STRIP.height - 40}" font-family="${FONT}" font-size="56" font-weight="bold" fill="${fg}">${title}</text>
  <text x="30" y="450" font-family="${FONT}" font-size="22" fill="${label}">${escapeXml(face.tierLabel)}</text>
  <text x="30" y="492" font-family="${FONT}" font-size="34" fill="${fg}">${title}</text>
  <text x="720" y="450" text-anchor="end" font-family="${FONT}" font-size="22" fill="${label}">${escapeXml(face.pointsLabel)}</text>
  <text x="720" y="492" text-anchor="end" font-family="${FONT}" font-size="34" fill="${fg}">${escapeXml(face.points)}</text>
  <rect x="235" y="560" width="280" height="280" rx="16" fill="#ffffff"/>
</svg>`;
  return Buffer.from(svg);
}

const ROUNDED_MASK = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" rx="28" fill="#000"/></svg>`,
);

export class SharpPassFaceRenderer implements PassFaceRenderer {
  readonly previewSize = { width: W, height: H };
  private variants = 0;
  private previews = 0;

  constructor(private readonly options: SharpRendererOptions) {}

  get variantRenders(): number {
    return this.variants;
  }

  get previewRenders(): number {
    return this.previews;
  }

  private open(source: SourceImage): Sharp {
    return sharp(source.bytes, {
      limitInputPixels: this.options.maxInputPixels,
      failOn: 'error',
      ...(source.format === 'svg' ? { density: 72 * (source.scale ?? 1) } : {}),
    });
  }

  async inspect(source: SourceImage): Promise<{ width: number; height: number }> {
    try {
      const meta = await this.open(source).metadata();
      // autoOrient gives the size after EXIF rotation (what the variants are cut from).
      return { width: meta.autoOrient.width, height: meta.autoOrient.height };
    } catch (err) {
      throw unreadable(err);
    }
  }

  async renderVariants(source: SourceImage, targets: readonly RenderTarget[]): Promise<RenderedImage[]> {
    this.variants += 1;
    if (source.format === 'svg') {
      for (const r of embeddedRasters(source.bytes.toString('utf8')))
        await checkDeclaredSize(r.bytes, r.format);
    } else {
      await checkDeclaredSize(source.bytes, source.format);
    }
    try {
      // Decode once into raw pixels, then resize from memory for every target. An alpha
      // channel only where there is one or a letterbox needs it (opaque PNGs encode faster).
      const decoded = this.open(source).autoOrient();
      if (targets.some((t) => t.fit === 'contain')) decoded.ensureAlpha();
      const { data, info } = await decoded.raw().toBuffer({ resolveWithObject: true });
      const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
      return await Promise.all(
        targets.map(async (t) => {
          const out = await sharp(data, raw)
            .resize(t.width, t.height, {
              fit: t.fit,
              position: 'centre',
              background: { r: 0, g: 0, b: 0, alpha: 0 },
            })
            .png()
            .toBuffer({ resolveWithObject: true });
          return { name: t.name, width: out.info.width, height: out.info.height, data: out.data };
        }),
      );
    } catch (err) {
      throw unreadable(err);
    }
  }

  async renderPreview(face: PassFace): Promise<Buffer> {
    this.previews += 1;
    const layers: OverlayOptions[] = [];
    const stripBox = { width: W, height: STRIP.height };
    if (face.strip) {
      const strip = await sharp(face.strip)
        .resize(stripBox.width, stripBox.height, { fit: 'cover' })
        .toBuffer();
      layers.push({ input: strip, top: STRIP.top, left: 0 });
    }
    // A `create` input with alpha in `background` is the overlay that stays translucent.
    const alpha = face.strip ? OVERLAY_ALPHA : 1;
    layers.push({
      input: { create: { ...stripBox, channels: 4, background: { ...face.tierColor, alpha } } },
      top: STRIP.top,
      left: 0,
    });
    if (face.logo) {
      const { data, info } = await sharp(face.logo)
        .resize(LOGO_BOX.width, LOGO_BOX.height, { fit: 'inside' })
        .toBuffer({ resolveWithObject: true });
      layers.push({ input: data, left: LOGO_BOX.left, top: Math.round((HEADER - info.height) / 2) });
    }
    layers.push({ input: textLayer(face), top: 0, left: 0 });
    layers.push({ input: ROUNDED_MASK, top: 0, left: 0, blend: 'dest-in' });
    return sharp({
      create: { width: W, height: H, channels: 4, background: { ...face.backgroundColor, alpha: 1 } },
    })
      .composite(layers)
      .png()
      .toBuffer();
  }

  async close(): Promise<void> {}
}
