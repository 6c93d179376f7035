/**
 * Hostile images, generated: the cases of issue 10 (a small SVG carrying a 20000×20000 PNG,
 * a filter SVG that held a core for minutes, a PNG whose data outgrows its header) and
 * decompression bombs, lying headers, truncations, recursion and expensive filters.
 * Everything is built from a few bytes of zlib output, so generating costs little CPU.
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { pngChunk } from './artwork-fixtures.js';

/**
 * A PNG whose IHDR says `header` (grayscale, `bitDepth`) and whose IDAT is the deflated
 * all-zero scanlines of `data` (same depth): equal sizes give a valid image, a larger
 * `data` the "header says 100×100, carries 20000²" case. 1-bit keeps 20000² at 50 MB of
 * zeros, ~50 KB deflated.
 */
export function grayPng(
  header: { width: number; height: number },
  data: { width: number; height: number } = header,
  bitDepth = 1,
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(header.width, 0);
  ihdr.writeUInt32BE(header.height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = 0;
  const rowBytes = 1 + Math.ceil((data.width * bitDepth) / 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(rowBytes * data.height), { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const SVG_NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"';

/** An SVG showing `images` as inline `data:` URIs. */
export function svgWithImages(images: { mime: string; bytes: Buffer }[], size = 400): Buffer {
  const tags = images
    .map(
      (i) =>
        `<image width="${size}" height="${size}" xlink:href="data:${i.mime};base64,${i.bytes.toString('base64')}"/>`,
    )
    .join('');
  return Buffer.from(`<svg ${SVG_NS} width="${size}" height="${size}">${tags}</svg>`);
}

/** The issue's filter SVG: turbulence, blur and morphology over a 4000×4000 canvas. */
export const filterBombSvg = Buffer.from(
  `<svg ${SVG_NS} width="4000" height="4000"><filter id="f" x="0" y="0" width="1" height="1"><feTurbulence baseFrequency="0.9" numOctaves="12"/><feGaussianBlur stdDeviation="200"/><feMorphology operator="dilate" radius="300"/></filter><rect width="4000" height="4000" filter="url(#f)"/></svg>`,
);

/**
 * Within every cheap bound (20 primitives, radius 16) and still ~30 s of CPU at strip size:
 * only the render budget stops it. Also the slow render of the abort and DELETE tests.
 */
export const slowFilterSvg = Buffer.from(
  `<svg ${SVG_NS} width="4000" height="4000"><filter id="f" x="0" y="0" width="1" height="1"><feTurbulence baseFrequency="0.05" numOctaves="4"/>${'<feMorphology operator="dilate" radius="16"/>'.repeat(19)}</filter><rect width="4000" height="4000" filter="url(#f)"/></svg>`,
);

/** Nine levels of ten `<use>` each: 10⁹ instances of one rect (librsvg gives up at 500,000). */
export function useLaughsSvg(): Buffer {
  let defs = '<rect id="l0" width="1" height="1"/>';
  for (let i = 1; i <= 9; i++) defs += `<g id="l${i}">${`<use xlink:href="#l${i - 1}"/>`.repeat(10)}</g>`;
  return Buffer.from(
    `<svg ${SVG_NS} width="100" height="100"><defs>${defs}</defs><use xlink:href="#l9"/></svg>`,
  );
}

/** Classic entity expansion. */
export const entityLaughsSvg = Buffer.from(
  `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><svg ${SVG_NS} width="10" height="10"><text>&c;</text></svg>`,
);

/** A JPEG header claiming `width`×`height` (SOF0), no image data. */
export function jpegHeader(width: number, height: number): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, 0, 0, 0, 0, 0x01, 0x01, 0x11, 0x00]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, Buffer.from([0xff, 0xd9])]);
}

/** A WebP (VP8X) header claiming `width`×`height`. */
export function webpHeader(width: number, height: number): Buffer {
  const b = Buffer.alloc(30);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(22, 4);
  b.write('WEBPVP8X', 8, 'latin1');
  b.writeUInt32LE(10, 16);
  b.writeUIntLE(width - 1, 24, 3);
  b.writeUIntLE(height - 1, 27, 3);
  return b;
}

/** A GIF whose logical screen is `width`×`height`. */
export function gifHeader(width: number, height: number): Buffer {
  const b = Buffer.from('GIF89a\0\0\0\0\0\0\0;', 'latin1');
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  return b;
}

/** A real JPEG whose scan is repeated `times` times (a scan-count CPU bomb). */
export async function manyScansJpeg(times: number): Promise<Buffer> {
  const base = await sharp({ create: { width: 120, height: 120, channels: 3, background: '#345' } })
    .jpeg()
    .toBuffer();
  const sos = base.indexOf(Buffer.from([0xff, 0xda]));
  const scan = base.subarray(sos, base.length - 2);
  return Buffer.concat([
    base.subarray(0, sos),
    ...Array.from({ length: times }, () => scan),
    Buffer.from([0xff, 0xd9]),
  ]);
}
