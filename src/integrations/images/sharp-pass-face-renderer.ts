/**
 * PassFaceRenderer on sharp (libvips): decoding bounded by `limitInputPixels`, PNG output.
 * In-process, so nothing bounds its time or native memory: the service runs it inside the
 * image child processes (isolated-pass-face-renderer.ts); tests and benches use it directly.
 */
import sharp, { type Sharp } from 'sharp';
import { AppError } from '../../errors.js';
import { checkDeclaredSize } from './image-integrity.js';
import type {
  PassFace,
  PassFaceRenderer,
  RenderedImage,
  RenderTarget,
  SourceImage,
} from './pass-face-renderer.js';
import { embeddedRasters } from './svg-complexity.js';

export interface SharpRendererOptions {
  /** Decoders refuse inputs with more pixels than this (sharp `limitInputPixels`). */
  maxInputPixels: number;
}

function unreadable(err: unknown): AppError {
  const detail = err instanceof Error ? err.message.trim() : String(err);
  return new AppError(400, 'artwork_unreadable', `The image could not be decoded: ${detail}`);
}

export class SharpPassFaceRenderer implements PassFaceRenderer {
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
    // The SVG is Tierpass's own (pass-face-svg.ts, every text escaped) and embeds only
    // Tierpass's rendered PNG variants; the pixel limit still bounds what librsvg may draw.
    return sharp(Buffer.from(face.svg), { limitInputPixels: this.options.maxInputPixels, failOn: 'error' })
      .png()
      .toBuffer();
  }

  async close(): Promise<void> {}
}
