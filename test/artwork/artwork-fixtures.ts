/** Test images made with sharp, a crafted oversized PNG header, SVGs, and an app that counts renders. */
import { deflateSync } from 'node:zlib';
import { pino } from 'pino';
import sharp from 'sharp';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { DEFAULT_ARTWORK_LIMITS } from '../../src/features/artwork/artwork-validation.js';
import {
  DEFAULT_IMAGE_WORK_LIMITS,
  type ImageWorkLimits,
} from '../../src/integrations/images/image-work-pool.js';
import { IsolatedPassFaceRenderer } from '../../src/integrations/images/isolated-pass-face-renderer.js';
import { openStore } from '../../src/store/open-store.js';
import { testDatabaseUrl } from '../support/db.js';
import { ADMIN_TOKEN, type Harness } from '../support/harness.js';

export type ArtworkHarness = Harness & { renderer: IsolatedPassFaceRenderer };

/** The real app with the service's renderer (bounded child processes), whose counters the test reads. */
export async function startArtworkHarness(limits: Partial<ImageWorkLimits> = {}): Promise<ArtworkHarness> {
  const store = await openStore({ databaseUrl: testDatabaseUrl(), dataDir: 'memory://' });
  const renderer = new IsolatedPassFaceRenderer({
    ...DEFAULT_IMAGE_WORK_LIMITS,
    maxPixels: DEFAULT_ARTWORK_LIMITS.maxPixels,
    ...limits,
  });
  const { app } = buildApp({
    store,
    clock: { now: () => new Date() },
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    imageRenderer: renderer,
  });
  const close = async () => {
    await renderer.close();
    await store.close();
  };
  return { store, app, http: request.agent(app), close, renderer };
}

type Color = { r: number; g: number; b: number };

function solid(width: number, height: number, color: Color) {
  return sharp({ create: { width, height, channels: 3, background: color } });
}

export const png = (width: number, height: number, color: Color = { r: 200, g: 30, b: 30 }) =>
  solid(width, height, color).png().toBuffer();
export const jpeg = (width: number, height: number, color: Color = { r: 30, g: 120, b: 200 }) =>
  solid(width, height, color).jpeg().toBuffer();
export const webp = (width: number, height: number, color: Color = { r: 30, g: 200, b: 30 }) =>
  solid(width, height, color).webp().toBuffer();

function crc32(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data and CRC-32. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A ~100-byte PNG whose IHDR declares `width`×`height` (RGB, 8 bit) followed by one short
 * IDAT: valid up to its header, with nowhere near the pixel data it announces.
 */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export const cleanSvg = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40" viewBox="0 0 40 40">
  <defs><linearGradient id="g"><stop offset="0" stop-color="#0a0"/><stop offset="1" stop-color="#0f0"/></linearGradient>
  <circle id="dot" cx="20" cy="20" r="18"/></defs>
  <rect width="40" height="40" fill="url(#g)"/>
  <use xlink:href="#dot" fill="#060"/>
</svg>`);

export const externalHrefSvg =
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100">
  <image xlink:href="https://tracker.example/pixel.png" width="100" height="100"/>
</svg>`);

/** Decoded RGB of one pixel. */
export async function pixel(image: Buffer, x: number, y: number): Promise<Color> {
  const data = await sharp(image)
    .extract({ left: x, top: y, width: 1, height: 1 })
    .removeAlpha()
    .raw()
    .toBuffer();
  return { r: data[0] ?? -1, g: data[1] ?? -1, b: data[2] ?? -1 };
}
