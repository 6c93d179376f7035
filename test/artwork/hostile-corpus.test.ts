/**
 * The hostile-image corpus through the real app: each upload answers a 4xx with its stable
 * code and stores nothing, and — as limits, not speed targets — finishes within 30 s while
 * the render child's and this process's memory stay bounded. One child and a 2 s CPU
 * budget keep the suite's own CPU use small on a shared machine.
 */
import sharp from 'sharp';
import request from 'supertest';
import { processUsage } from '../../src/integrations/images/image-work-pool.js';
import { createProgram } from '../support/harness.js';
import { type ArtworkHarness, startArtworkHarness } from './artwork-fixtures.js';
import {
  entityLaughsSvg,
  filterBombSvg,
  gifHeader,
  grayPng,
  jpegHeader,
  manyScansJpeg,
  slowFilterSvg,
  svgWithImages,
  useLaughsSvg,
  webpHeader,
} from './hostile-images.js';

const WALL_LIMIT_MS = 30_000;
const CHILD_RSS_BUDGET = 512 * 1024 * 1024;
/** The budget is polled every 20 ms: a child may overshoot it by what it allocates meanwhile. */
const CHILD_RSS_LIMIT = CHILD_RSS_BUDGET + 256 * 1024 * 1024;
/** This process holds the request and response, never a decoded image. */
const TEST_RSS_GROWTH_LIMIT = 200 * 1024 * 1024;
const MB = 1024 * 1024;

let h: ArtworkHarness;
let auth: { Authorization: string };
let tierId: string;
const measured: string[] = [];

beforeAll(async () => {
  h = await startArtworkHarness({ workers: 1, cpuMs: 2000, maxRssBytes: CHILD_RSS_BUDGET });
  ({ auth } = await createProgram(h));
  tierId = (await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Gold' })).body.id;
}, 60_000);
afterAll(async () => {
  console.log(`hostile corpus (time, peak child RSS, test process RSS growth):\n${measured.join('\n')}`);
  await h.close();
});

const svg = (text: string) => Buffer.from(text);
/** A 200×200 noise image (incompressible, so a cut loses real data). */
const noise200 = (format: 'png' | 'jpeg') =>
  sharp({
    create: {
      width: 200,
      height: 200,
      channels: 3,
      background: '#888',
      noise: { type: 'gaussian', mean: 128, sigma: 50 },
    },
  })
    [format]()
    .toBuffer();
/** The first `fraction` of the bytes. */
const cut = (bytes: Buffer, fraction: number) => bytes.subarray(0, Math.floor(bytes.length * fraction));
const NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"';

/** The accepted answers are `status code` (some cases have two honest ones: which limit trips first). */
type Case = [
  name: string,
  slot: string,
  body: () => Promise<Buffer> | Buffer,
  type: string,
  answers: string[],
];

const cases: Case[] = [
  // Issue 10, item 3, as reported.
  [
    'a 65 KB SVG embedding a 20000×20000 PNG',
    'strip',
    () => svgWithImages([{ mime: 'image/png', bytes: grayPng({ width: 20_000, height: 20_000 }) }]),
    'image/svg+xml',
    ['422 artwork_too_many_pixels'],
  ],
  [
    'the 4000×4000 turbulence/blur/morphology SVG',
    'strip',
    () => filterBombSvg,
    'image/svg+xml',
    ['422 artwork_too_complex'],
  ],
  [
    'a PNG whose header says 100×100 carrying 20000² of data',
    'icon',
    () => grayPng({ width: 100, height: 100 }, { width: 20_000, height: 20_000 }),
    'image/png',
    ['422 artwork_size_mismatch'],
  ],
  // Decompression bombs and huge declared dimensions.
  [
    'a 20000×20000 PNG (50 KB)',
    'strip',
    () => grayPng({ width: 20_000, height: 20_000 }),
    'image/png',
    ['422 artwork_too_many_pixels'],
  ],
  [
    'a JPEG header of 60000×60000',
    'strip',
    () => jpegHeader(60_000, 60_000),
    'image/jpeg',
    ['422 artwork_too_many_pixels'],
  ],
  [
    'a WebP header of 16000×16000',
    'strip',
    () => webpHeader(16_000, 16_000),
    'image/webp',
    ['422 artwork_too_many_pixels'],
  ],
  [
    'a GIF (not an accepted type)',
    'icon',
    () => gifHeader(60_000, 60_000),
    'image/png',
    ['415 artwork_unsupported_type'],
  ],
  [
    'an SVG of 1000000×1000000 user units',
    'icon',
    () => svg(`<svg ${NS} width="1000000" height="1000000"><rect width="10" height="10"/></svg>`),
    'image/svg+xml',
    ['422 artwork_too_many_pixels', '400 artwork_unreadable'],
  ],
  [
    'an SVG whose only size is a 10⁹ × 10⁹ viewBox',
    'strip',
    () => svg(`<svg ${NS} viewBox="0 0 1000000000 1000000000"><rect width="10" height="10"/></svg>`),
    'image/svg+xml',
    ['400 artwork_unreadable', '422 artwork_too_many_pixels'],
  ],
  // SVG carrying images.
  [
    'an SVG embedding a GIF of 60000×60000',
    'icon',
    () => svgWithImages([{ mime: 'image/gif', bytes: gifHeader(60_000, 60_000) }]),
    'image/svg+xml',
    ['422 artwork_too_many_pixels'],
  ],
  [
    'an SVG embedding seven 2000×2000 PNGs (28 MP together)',
    'icon',
    () =>
      svgWithImages(
        Array.from({ length: 7 }, () => ({
          mime: 'image/png',
          bytes: grayPng({ width: 2000, height: 2000 }),
        })),
      ),
    'image/svg+xml',
    ['422 artwork_too_many_pixels'],
  ],
  [
    'an SVG embedding a PNG whose data outgrows its 100×100 header',
    'icon',
    () =>
      svgWithImages([
        { mime: 'image/png', bytes: grayPng({ width: 100, height: 100 }, { width: 20_000, height: 20_000 }) },
      ]),
    'image/svg+xml',
    ['422 artwork_size_mismatch'],
  ],
  [
    'an SVG embedding an SVG data URI',
    'icon',
    () =>
      svg(
        `<svg ${NS} width="10" height="10"><image xlink:href="data:image/svg+xml;base64,${Buffer.from(`<svg ${NS}/>`).toString('base64')}"/></svg>`,
      ),
    'image/svg+xml',
    ['400 artwork_unsafe_svg'],
  ],
  [
    'an SVG data URI labelled PNG carrying text',
    'icon',
    () => svgWithImages([{ mime: 'image/png', bytes: Buffer.from('<svg/>') }]),
    'image/svg+xml',
    ['400 artwork_unreadable'],
  ],
  // Recursion and expansion.
  [
    'nine levels of ten <use> (10⁹ instances)',
    'icon',
    useLaughsSvg,
    'image/svg+xml',
    ['400 artwork_unreadable', '422 artwork_too_complex'],
  ],
  [
    'entity expansion (billion laughs)',
    'icon',
    () => entityLaughsSvg,
    'image/svg+xml',
    ['400 artwork_unsafe_svg', '415 artwork_unsupported_type'],
  ],
  // Filters within the cheap bounds: the CPU budget stops them.
  [
    '19 morphology passes over a 4000×4000 canvas',
    'strip',
    () => slowFilterSvg,
    'image/svg+xml',
    ['422 artwork_too_complex'],
  ],
  // External references.
  [
    'an external <image> href',
    'icon',
    () => svg(`<svg ${NS} width="10" height="10"><image href="http://169.254.169.254/x.png"/></svg>`),
    'image/svg+xml',
    ['400 artwork_unsafe_svg'],
  ],
  [
    'a <use> of another file',
    'icon',
    () => svg(`<svg ${NS} width="10" height="10"><use xlink:href="file:///etc/passwd#x"/></svg>`),
    'image/svg+xml',
    ['400 artwork_unsafe_svg'],
  ],
  [
    'a CSS url() to the network',
    'icon',
    () => svg(`<svg ${NS} width="10" height="10"><rect style="fill:url(https://x.example/p#g)"/></svg>`),
    'image/svg+xml',
    ['400 artwork_unsafe_svg'],
  ],
  // Truncated and mismatched headers.
  [
    'a PNG whose data stops at row 50 of 100',
    'icon',
    () => grayPng({ width: 100, height: 100 }, { width: 100, height: 50 }, 8),
    'image/png',
    ['422 artwork_size_mismatch'],
  ],
  [
    'a noise PNG cut at 60 %',
    'icon',
    async () => cut(await noise200('png'), 0.6),
    'image/png',
    ['422 artwork_size_mismatch', '400 artwork_unreadable'],
  ],
  [
    'a noise JPEG cut at 60 %',
    'icon',
    async () => cut(await noise200('jpeg'), 0.6),
    'image/jpeg',
    ['400 artwork_unreadable'],
  ],
  [
    'a WebP with 1000 bytes past its RIFF size',
    'icon',
    async () =>
      Buffer.concat([
        await sharp({ create: { width: 100, height: 100, channels: 3, background: '#0a0' } })
          .webp()
          .toBuffer(),
        Buffer.alloc(1000),
      ]),
    'image/webp',
    ['422 artwork_size_mismatch'],
  ],
  ['a JPEG with 200 scans', 'icon', () => manyScansJpeg(200), 'image/jpeg', ['422 artwork_too_complex']],
];

describe('hostile image corpus', () => {
  it.each(cases)(
    '%s: refused within the limits, nothing stored',
    async (...[name, slot, make, type, answers]: Case) => {
      const body = await make();
      const tierBefore = (await request(h.app).get(`/v1/tiers/${tierId}`).set(auth)).body;
      h.renderer.pool.peakChildRssBytes = 0;
      const rssBefore = process.memoryUsage().rss;
      let rssPeak = rssBefore;
      const sampler = setInterval(() => {
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }, 20);
      const started = Date.now();
      const res = await request(h.app)
        .put(`/v1/tiers/${tierId}/artwork/${slot}`)
        .set(auth)
        .set('Content-Type', type)
        .send(body);
      const elapsed = Date.now() - started;
      clearInterval(sampler);
      const child = h.renderer.pool.peakChildRssBytes;
      measured.push(
        `  ${name} (${body.length} B): ${res.status} ${res.body.error?.code}, ${elapsed} ms, child ${Math.round(child / MB)} MB, test +${Math.round((rssPeak - rssBefore) / MB)} MB`,
      );

      expect(elapsed).toBeLessThan(WALL_LIMIT_MS);
      expect(child).toBeLessThan(CHILD_RSS_LIMIT);
      expect(rssPeak - rssBefore).toBeLessThan(TEST_RSS_GROWTH_LIMIT);
      expect(answers).toContain(`${res.status} ${res.body.error?.code}`);

      const list = await request(h.app).get(`/v1/tiers/${tierId}/artwork`).set(auth);
      expect(list.body.data).toEqual([]);
      const variant = await request(h.app).get(`/v1/tiers/${tierId}/artwork/${slot}/${slot}.png`).set(auth);
      expect(variant.status).toBe(404);
      expect((await request(h.app).get(`/v1/tiers/${tierId}`).set(auth)).body).toEqual(tierBefore);
    },
    60_000,
  );

  it('leaves no child above its budget and serves a normal upload afterwards', async () => {
    for (const pid of childPids(h)) {
      expect(processUsage(pid)?.rssBytes ?? 0).toBeLessThan(CHILD_RSS_BUDGET);
    }
    const ok = await request(h.app)
      .put(`/v1/tiers/${tierId}/artwork/icon`)
      .set(auth)
      .set('Content-Type', 'image/png')
      .send(
        await sharp({ create: { width: 120, height: 120, channels: 3, background: '#a00' } })
          .png()
          .toBuffer(),
      );
    expect(ok.status).toBe(200);
  }, 60_000);
});

describe('memory budget', () => {
  let small: ArtworkHarness;
  beforeAll(async () => {
    small = await startArtworkHarness({ workers: 1, maxRssBytes: 160 * MB });
  }, 60_000);
  afterAll(() => small.close());

  it('kills a render whose child grows past the RSS budget: 422, nothing stored', async () => {
    const { auth: a } = await createProgram(small);
    const tier = (await request(small.app).post('/v1/tiers').set(a).send({ title: 'Big' })).body.id;
    // 25 MP: legal by size, ~75 MB of pixels decoded, more than 160 MB of child with the rest.
    const big = await sharp({ create: { width: 5000, height: 5000, channels: 3, background: '#357' } })
      .jpeg()
      .toBuffer();
    const res = await request(small.app)
      .put(`/v1/tiers/${tier}/artwork/strip`)
      .set(a)
      .set('Content-Type', 'image/jpeg')
      .send(big);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('artwork_too_complex');
    expect(res.body.error.message).toContain('MB of memory');
    expect(small.renderer.pool.peakChildRssBytes).toBeLessThan(160 * MB + 256 * MB);
    expect((await request(small.app).get(`/v1/tiers/${tier}/artwork`).set(a)).body.data).toEqual([]);
  }, 60_000);
});

function childPids(harness: ArtworkHarness): number[] {
  return harness.renderer.pool.pids;
}
