/**
 * Upload checks, cheapest first, all before anything is decoded in full or stored:
 * empty → sniffed type → declared type matches → SVG safety and cost (inline images,
 * filters) → header pixel count → decoder header → minimum size. Declared vs actual data
 * size is checked by the renderer, in its child process, just before the full decode.
 */
import { AppError, badRequest, unprocessable } from '../../errors.js';
import { CONTENT_TYPES, type ImageFormat, sniffImage } from '../../integrations/images/image-sniffer.js';
import type { PassFaceRenderer, SourceImage } from '../../integrations/images/pass-face-renderer.js';
import { checkSvgComplexity } from '../../integrations/images/svg-complexity.js';
import { svgRefusal } from '../../integrations/images/svg-safety.js';
import type { SlotSpec } from './artwork-slots.js';

export interface ArtworkLimits {
  /** Largest upload in bytes. */
  maxBytes: number;
  /** Most pixels a source may have (and an SVG may be rasterised to). */
  maxPixels: number;
}

export const DEFAULT_ARTWORK_LIMITS: ArtworkLimits = { maxBytes: 5 * 1024 * 1024, maxPixels: 25_000_000 };

/** An upload that passed every check. */
export interface ValidatedImage {
  /** What the renderer decodes. */
  source: SourceImage;
  /** Sniffed content type. */
  contentType: string;
  /** Pixel size of the decoded source. */
  width: number;
  /** Pixel height of the decoded source. */
  height: number;
}

function unsupported(): AppError {
  return new AppError(
    415,
    'artwork_unsupported_type',
    `The body is not an image of a supported type (${Object.values(CONTENT_TYPES).join(', ')})`,
  );
}

function tooManyPixels(width: number, height: number, max: number): AppError {
  return unprocessable(
    'artwork_too_many_pixels',
    `The image is ${width}×${height} (${width * height} pixels); at most ${max} pixels are accepted`,
  );
}

/** The media type without parameters, lowercased. */
function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim().toLowerCase();
}

/**
 * SVG: rasterise at the size that covers the largest target, within the pixel limit — also
 * below the SVG's own size: a 4000×4000 canvas is drawn at ~1125² (filters and all), not 16 MP.
 */
function svgScale(size: { width: number; height: number }, spec: SlotSpec, maxPixels: number): number {
  const needed = Math.max(...spec.targets.map((t) => Math.max(t.width / size.width, t.height / size.height)));
  const allowed = Math.sqrt(maxPixels / (size.width * size.height));
  return Math.max(Math.min(needed, allowed), 0.01);
}

/** Check an upload for a slot; throws the refusal as an AppError. */
export async function validateUpload(
  bytes: Buffer,
  declaredType: string | undefined,
  spec: SlotSpec,
  limits: ArtworkLimits,
  renderer: PassFaceRenderer,
  signal?: AbortSignal,
): Promise<ValidatedImage> {
  if (bytes.length === 0) throw badRequest('artwork_empty', 'The request body is empty');
  if (bytes.length > limits.maxBytes) {
    throw new AppError(413, 'artwork_too_large', `The image is larger than ${limits.maxBytes} bytes`);
  }
  const sniffed = sniffImage(bytes);
  if (!sniffed) throw unsupported();
  const format: ImageFormat = sniffed.format;
  const contentType = CONTENT_TYPES[format];
  const declared = mediaType(declaredType);
  if (
    declared !== undefined &&
    declared !== contentType &&
    !(declared === 'image/jpg' && format === 'jpeg')
  ) {
    throw new AppError(
      415,
      'artwork_type_mismatch',
      `The body is ${contentType} but was sent as ${declared}`,
    );
  }
  if (format === 'svg') {
    const reason = svgRefusal(bytes.toString('utf8'));
    if (reason) throw badRequest('artwork_unsafe_svg', `The SVG is refused: it contains ${reason}`);
    checkSvgComplexity(bytes.toString('utf8'), limits.maxPixels);
  }
  if (sniffed.size && sniffed.size.width * sniffed.size.height > limits.maxPixels) {
    throw tooManyPixels(sniffed.size.width, sniffed.size.height, limits.maxPixels);
  }
  let source: SourceImage = { bytes, format };
  let size = await renderer.inspect(source, signal);
  if (format === 'svg') {
    source = { bytes, format, scale: svgScale(size, spec, limits.maxPixels) };
    size = await renderer.inspect(source, signal);
  }
  // The decoder's view wins over the sniffer's (e.g. a JPEG's EXIF rotation).
  if (size.width * size.height > limits.maxPixels) {
    throw tooManyPixels(size.width, size.height, limits.maxPixels);
  }
  if (format !== 'svg' && (size.width < spec.minWidth || size.height < spec.minHeight)) {
    throw unprocessable(
      'artwork_too_small',
      `The image is ${size.width}×${size.height}; this slot needs at least ${spec.minWidth}×${spec.minHeight}`,
    );
  }
  return { source, contentType, width: size.width, height: size.height };
}
