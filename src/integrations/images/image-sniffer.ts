/**
 * What an upload really is, read from its first bytes (magic numbers) and, for raster
 * formats, its pixel size from the header alone: a 50-megapixel PNG is recognised from
 * its first 24 bytes, before any decoder sees it.
 */

/** Image formats accepted for artwork. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'svg';

/** Content type of each format. */
export const CONTENT_TYPES: Record<ImageFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  svg: 'image/svg+xml',
};

export interface SniffedImage {
  /** The format the bytes are in. */
  format: ImageFormat;
  /** Pixel size from the header; null for SVG (vector: sized by the rasteriser). */
  size: { width: number; height: number } | null;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(b: Buffer): SniffedImage['size'] {
  // IHDR is always the first chunk: length(4) "IHDR"(4) width(4) height(4).
  if (b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** JPEG: walk the marker segments up to the first start-of-frame. */
function jpegSize(b: Buffer): SniffedImage['size'] {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const length = b.readUInt16BE(i + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (i + 9 > b.length) return null;
      return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    i += 2 + length;
  }
  return null;
}

function webpSize(b: Buffer): SniffedImage['size'] {
  if (b.length < 30) return null;
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  return null;
}

/** An SVG is UTF-8 text whose first element (after a prolog and comments) is <svg>. */
function looksLikeSvg(b: Buffer): boolean {
  const head = b.subarray(0, 4096);
  if (head.includes(0)) return false;
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const prolog = /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i;
  return prolog.test(text);
}

/**
 * The format of `bytes` and, for raster formats, the header's pixel size (null when the
 * header is truncated). Null when the bytes are none of the accepted formats.
 */
export function sniffImage(bytes: Buffer): SniffedImage | null {
  if (bytes.subarray(0, 8).equals(PNG_MAGIC)) return { format: 'png', size: pngSize(bytes) };
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return { format: 'jpeg', size: jpegSize(bytes) };
  }
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    return { format: 'webp', size: webpSize(bytes) };
  }
  if (looksLikeSvg(bytes)) return { format: 'svg', size: null };
  return null;
}
