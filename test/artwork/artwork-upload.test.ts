/** Upload validation: every refusal has its code, renders nothing and stores nothing. */
import request from 'supertest';
import { createProgram } from '../support/harness.js';
import {
  type ArtworkHarness,
  cleanSvg,
  externalHrefSvg,
  jpeg,
  png,
  pngHeaderOnly,
  startArtworkHarness,
  webp,
} from './artwork-fixtures.js';

let h: ArtworkHarness;
let auth: { Authorization: string };
let tierId: string;
beforeAll(async () => {
  h = await startArtworkHarness();
});
beforeEach(async () => {
  ({ auth } = await createProgram(h));
  tierId = (await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Gold' })).body.id;
});
afterAll(() => h.close());

function put(slot: string, body: Buffer, type: string) {
  return request(h.app)
    .put(`/v1/tiers/${tierId}/artwork/${slot}`)
    .set(auth)
    .set('Content-Type', type)
    .send(body);
}

/** The refusal left no trace: no slot stored, no render started. */
async function expectNothingStored(rendersBefore: number) {
  const list = await request(h.app).get(`/v1/tiers/${tierId}/artwork`).set(auth);
  expect(list.status).toBe(200);
  expect(list.body.data).toEqual([]);
  expect(h.renderer.variantRenders).toBe(rendersBefore);
}

describe('artwork upload validation', () => {
  it('accepts PNG, JPEG and WebP with their sniffed type', async () => {
    for (const [slot, body, type] of [
      ['icon', await png(120, 120), 'image/png'],
      ['strip', await jpeg(1200, 400), 'image/jpeg'],
      ['logo', await webp(400, 120), 'image/webp'],
    ] as const) {
      const res = await put(slot, body, type);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        slot,
        contentType: type,
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    }
  });

  it('refuses a 50-megapixel PNG from its header, before any decoding', async () => {
    const before = h.renderer.variantRenders;
    const crafted = pngHeaderOnly(10_000, 5_000);
    expect(crafted.length).toBeLessThan(200);
    const res = await put('strip', crafted, 'image/png');
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'artwork_too_many_pixels' });
    expect(res.body.error.message).toContain('10000×5000');
    await expectNothingStored(before);
  });

  it.each([
    ['a zero-byte body', Buffer.alloc(0), 'image/png', 400, 'artwork_empty'],
    [
      'a text file sent as image/png',
      Buffer.from('just some notes\n'),
      'image/png',
      415,
      'artwork_unsupported_type',
    ],
    [
      'a truncated PNG',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]),
      'image/png',
      400,
      'artwork_unreadable',
    ],
  ])('refuses %s', async (_what, body, type, status, code) => {
    const before = h.renderer.variantRenders;
    const res = await put('icon', body, type);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    await expectNothingStored(before);
  });

  it('refuses bytes whose sniffed type differs from Content-Type', async () => {
    const before = h.renderer.variantRenders;
    const res = await put('icon', await jpeg(100, 100), 'image/png');
    expect(res.status).toBe(415);
    expect(res.body.error).toMatchObject({ code: 'artwork_type_mismatch' });
    expect(res.body.error.message).toContain('image/jpeg');
    await expectNothingStored(before);
  });

  it('refuses a body over 5 MB with 413 and a non-image content type with 415', async () => {
    const before = h.renderer.variantRenders;
    const big = Buffer.concat([await png(100, 100), Buffer.alloc(5 * 1024 * 1024)]);
    const res = await put('icon', big, 'image/png');
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('artwork_too_large');
    const text = await put('icon', Buffer.from('hello'), 'text/plain');
    expect(text.status).toBe(415);
    await expectNothingStored(before);
  });

  it('refuses an image below the slot minimum', async () => {
    const before = h.renderer.variantRenders;
    const res = await put('strip', await png(300, 100), 'image/png');
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'artwork_too_small' });
    expect(res.body.error.message).toContain('375×123');
    await expectNothingStored(before);
  });

  it('refuses an SVG with an external href and rasterises a clean one', async () => {
    const before = h.renderer.variantRenders;
    const bad = await put('icon', externalHrefSvg, 'image/svg+xml');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'artwork_unsafe_svg' });
    expect(bad.body.error.message).toContain('external reference');
    await expectNothingStored(before);

    // 40×40 user units: rasterised large enough for icon@3x (87 px) instead of refused as small.
    const ok = await put('icon', cleanSvg, 'image/svg+xml');
    expect(ok.status).toBe(200);
    expect(ok.body.contentType).toBe('image/svg+xml');
    expect(ok.body.variants).toEqual([
      { name: 'icon.png', width: 29, height: 29, bytes: expect.any(Number) },
      { name: 'icon@2x.png', width: 58, height: 58, bytes: expect.any(Number) },
      { name: 'icon@3x.png', width: 87, height: 87, bytes: expect.any(Number) },
    ]);
  });

  it('answers 404 for an unknown tier or slot and 401 without a key', async () => {
    const body = await png(100, 100);
    const tier = await request(h.app)
      .put('/v1/tiers/tier_nope/artwork/icon')
      .set(auth)
      .set('Content-Type', 'image/png')
      .send(body);
    expect(tier.status).toBe(404);
    expect(tier.body.error.code).toBe('tier_not_found');
    const slot = await put('banner', body, 'image/png');
    expect(slot.status).toBe(404);
    expect(slot.body.error.code).toBe('artwork_slot_not_found');
    const anon = await request(h.app)
      .put(`/v1/tiers/${tierId}/artwork/icon`)
      .set('Content-Type', 'image/png')
      .send(body);
    expect(anon.status).toBe(401);
  });
});

describe('artwork in the OpenAPI document', () => {
  it('documents the upload body types and the PNG responses', async () => {
    const paths = (await request(h.app).get('/openapi.json')).body.paths;
    const upload = paths['/v1/tiers/{tierId}/artwork/{slot}'];
    expect(Object.keys(upload.put.requestBody.content)).toEqual([
      'image/png',
      'image/jpeg',
      'image/webp',
      'image/svg+xml',
    ]);
    expect(upload.delete).toBeDefined();
    expect(paths['/v1/tiers/{tierId}/artwork'].get).toBeDefined();
    expect(paths['/v1/tiers/{tierId}/artwork/{slot}/{variant}'].get.responses['200'].content).toEqual({
      'image/png': { schema: { type: 'string', format: 'binary' } },
    });
    expect(paths['/v1/tiers/{tierId}/preview.png'].get.security).toEqual([
      { apiKey: [] },
      { sessionCookie: [] },
    ]);
  });
});
