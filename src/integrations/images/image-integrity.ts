/**
 * Declared and actual sizes must agree: a PNG whose IHDR says 100×100 but whose IDAT
 * inflates to 20000² rows of data, a WebP whose RIFF size is not its length, or a JPEG
 * with hundreds of progressive scans (each one a full pass over the coefficients) is
 * refused before a decoder sees it. Runs in the image child process (the PNG check
 * inflates the whole pixel stream, counting bytes and keeping none).
 */
import { createInflate } from 'node:zlib';
import { AppError, unprocessable } from '../../errors.js';
import type { ImageFormat } from './image-sniffer.js';

/** More scans than any encoder writes (libjpeg's progressive script has 10). */
export const MAX_JPEG_SCANS = 64;

function mismatch(message: string): AppError {
  return unprocessable('artwork_size_mismatch', message);
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Bytes of the filtered scanlines an IHDR announces (Adam7: the seven passes' rows). */
export function pngExpectedBytes(
  width: number,
  height: number,
  bitDepth: number,
  colorType: number,
  interlace: number,
): number {
  const bits = (CHANNELS[colorType] ?? 0) * bitDepth;
  const rows = (w: number, h: number) => (w === 0 || h === 0 ? 0 : h * (1 + Math.ceil((w * bits) / 8)));
  if (interlace !== 1) return rows(width, height);
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    total += rows(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy));
  }
  return total;
}

/** Length of `data` inflated, counted up to `limit` + 1 (nothing is kept). */
function inflatedLength(chunks: Buffer[], limit: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const z = createInflate();
    let n = 0;
    z.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) {
        z.destroy();
        resolve(n);
      }
    });
    z.on('end', () => resolve(n));
    z.on('error', (err) =>
      reject(new AppError(400, 'artwork_unreadable', `The PNG data is corrupt: ${err.message}`)),
    );
    for (const c of chunks) z.write(c);
    z.end();
  });
}

async function checkPng(b: Buffer): Promise<void> {
  if (b.length < 33) return; // the decoder reports the truncated header
  const width = b.readUInt32BE(16);
  const height = b.readUInt32BE(20);
  const expected = pngExpectedBytes(width, height, b[24] ?? 0, b[25] ?? 0, b[28] ?? 0);
  const idat: Buffer[] = [];
  let i = 8;
  while (i + 8 <= b.length) {
    const length = b.readUInt32BE(i);
    const type = b.toString('latin1', i + 4, i + 8);
    if (type === 'IDAT') idat.push(b.subarray(i + 8, Math.min(b.length, i + 8 + length)));
    if (type === 'IEND') break;
    i += 12 + length;
  }
  const actual = await inflatedLength(idat, expected);
  if (actual > expected) {
    throw mismatch(`The PNG header says ${width}×${height}, but its pixel data is larger than that`);
  }
  if (actual < expected) {
    throw mismatch(`The PNG header says ${width}×${height}, but its pixel data is truncated`);
  }
}

function checkWebp(b: Buffer): void {
  // RIFF size counts from byte 8; a chunk of odd size is padded to even.
  const declared = b.readUInt32LE(4) + 8;
  if (declared !== b.length && declared + 1 !== b.length) {
    throw mismatch(`The WebP container says ${declared} bytes, but the body has ${b.length}`);
  }
}

/** Count start-of-scan markers, skipping entropy-coded data. */
function jpegScans(b: Buffer): number {
  let scans = 0;
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) {
      i += 1;
      continue;
    }
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff || marker === 0x00 || (marker >= 0xd0 && marker <= 0xd8) || marker === 0x01) {
      i += marker === 0xff ? 1 : 2;
      continue;
    }
    if (marker === 0xd9) break;
    if (marker === 0xda) scans += 1;
    i += 2 + b.readUInt16BE(i + 2);
  }
  return scans;
}

/** Throws `artwork_size_mismatch` (422), `artwork_too_complex` (422) or `artwork_unreadable` (400). */
export async function checkDeclaredSize(bytes: Buffer, format: ImageFormat | 'gif'): Promise<void> {
  if (format === 'png') await checkPng(bytes);
  else if (format === 'webp' && bytes.length >= 12) checkWebp(bytes);
  else if (format === 'jpeg') {
    const scans = jpegScans(bytes);
    if (scans > MAX_JPEG_SCANS) {
      throw unprocessable(
        'artwork_too_complex',
        `The JPEG has ${scans} scans; at most ${MAX_JPEG_SCANS} are accepted`,
      );
    }
  }
}
