/**
 * The image work of per-tier artwork behind one small interface (sharp implements it in
 * sharp-pass-face-renderer.ts): inspect an upload, render its variants, draw a pass preview.
 */
import type { ImageFormat } from './image-sniffer.js';

/** An sRGB colour, 0–255 per channel. */
export interface Rgb {
  /** Red. */
  r: number;
  /** Green. */
  g: number;
  /** Blue. */
  b: number;
}

/** One output image of a slot. */
export interface RenderTarget {
  /** File name of the result, e.g. `strip@2x.png`. */
  name: string;
  /** Box width in pixels. */
  width: number;
  /** Box height in pixels. */
  height: number;
  /**
   * `cover`: exactly the box, cropped to fill; `inside`: the image scaled to fit within the
   * box (result may be smaller on one side); `contain`: exactly the box, letterboxed transparent.
   */
  fit: 'cover' | 'inside' | 'contain';
}

/** A rendered PNG. */
export interface RenderedImage {
  /** The target's name. */
  name: string;
  /** Pixel width of the PNG. */
  width: number;
  /** Pixel height of the PNG. */
  height: number;
  /** The PNG bytes. */
  data: Buffer;
}

/** An upload to decode. */
export interface SourceImage {
  /** The uploaded bytes. */
  bytes: Buffer;
  /** Their format (already sniffed). */
  format: ImageFormat;
  /** SVG only: rasterise at this multiple of the SVG's own size (1 = 72 dpi). */
  scale?: number;
}

/**
 * A pass face to rasterise: the SVG document `pass-face-svg.ts` draws from the pass model,
 * its images already embedded as `data:image/png` URIs (Tierpass's own rendered variants).
 */
export interface PassFace {
  /** The complete SVG document (fixed size: its width and height are the PNG's). */
  svg: string;
}

export interface PassFaceRenderer {
  /** Variant renders so far (each decodes one upload); tests prove the content-hash cache with it. */
  readonly variantRenders: number;
  /** Previews drawn so far. */
  readonly previewRenders: number;
  /**
   * Read the decoder's header of an upload: pixel size (SVG: at 72 dpi). Throws
   * `artwork_unreadable`; the work is abandoned when `signal` aborts (its reason is thrown).
   */
  inspect(source: SourceImage, signal?: AbortSignal): Promise<{ width: number; height: number }>;
  /**
   * Check that declared and actual sizes agree, decode the upload once and render every
   * target to PNG. Throws `artwork_unreadable`, `artwork_size_mismatch`, `artwork_too_complex`.
   */
  renderVariants(
    source: SourceImage,
    targets: readonly RenderTarget[],
    signal?: AbortSignal,
  ): Promise<RenderedImage[]>;
  /** Rasterise the pass face SVG to a PNG of its own size. */
  renderPreview(face: PassFace, signal?: AbortSignal): Promise<Buffer>;
  /** Stop any helper processes (the renderer may still be used: they start again). */
  close(): Promise<void>;
}
