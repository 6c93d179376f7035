/** Rendered variants: exact sizes, content-hash cache, ETag/304, delete, tenancy, pass images. */
import sharp from 'sharp';
import request from 'supertest';
import { createProgram } from '../support/harness.js';
import { type ArtworkHarness, jpeg, png, startArtworkHarness } from './artwork-fixtures.js';

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

function put(slot: string, body: Buffer, type = 'image/png', tier = tierId, key = auth) {
  return request(h.app)
    .put(`/v1/tiers/${tier}/artwork/${slot}`)
    .set(key)
    .set('Content-Type', type)
    .send(body);
}

function getVariant(slot: string, name: string, key = auth) {
  return request(h.app).get(`/v1/tiers/${tierId}/artwork/${slot}/${name}`).set(key);
}

const sizes = (variants: { name: string; width: number; height: number }[]) =>
  variants.map(({ name, width, height }) => [name, width, height]);

describe('artwork variants', () => {
  it('renders every slot to its exact sizes and serves each as PNG', async () => {
    const icon = await put('icon', await png(200, 150));
    expect(sizes(icon.body.variants)).toEqual([
      ['icon.png', 29, 29],
      ['icon@2x.png', 58, 58],
      ['icon@3x.png', 87, 87],
    ]);
    // A 4:1 logo fits inside 160×50 pt by its width.
    const logo = await put('logo', await png(800, 200));
    expect(sizes(logo.body.variants)).toEqual([
      ['logo.png', 160, 40],
      ['logo@2x.png', 320, 80],
      ['logo@3x.png', 480, 120],
      ['google-program-logo.png', 660, 660],
    ]);
    const strip = await put('strip', await jpeg(1600, 1000), 'image/jpeg');
    expect(sizes(strip.body.variants)).toEqual([
      ['strip.png', 375, 123],
      ['strip@2x.png', 750, 246],
      ['strip@3x.png', 1125, 369],
    ]);
    const hero = await put('hero', await png(1100, 400));
    expect(sizes(hero.body.variants)).toEqual([['google-hero.png', 1032, 336]]);

    const served = await getVariant('strip', 'strip@3x.png');
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    const meta = await sharp(served.body as Buffer).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 1125, 369]);
    expect(served.body.length).toBe(strip.body.variants[2].bytes);

    const list = await request(h.app).get(`/v1/tiers/${tierId}/artwork`).set(auth);
    expect(list.body.data.map((s: { slot: string }) => s.slot)).toEqual(['hero', 'icon', 'logo', 'strip']);
  });

  it('renders the same bytes once: same hash, no second render, also for another tier', async () => {
    const body = await png(1200, 400);
    const first = await put('strip', body);
    const renders = h.renderer.variantRenders;
    const again = await put('strip', body);
    expect(again.status).toBe(200);
    expect(again.body.hash).toBe(first.body.hash);
    expect(again.body.variants).toEqual(first.body.variants);
    expect(h.renderer.variantRenders).toBe(renders);

    const other = (await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Platinum' })).body.id;
    const copied = await put('strip', body, 'image/png', other);
    expect(copied.body.hash).toBe(first.body.hash);
    expect(h.renderer.variantRenders).toBe(renders);

    const changed = await put('strip', await png(1200, 400, { r: 0, g: 0, b: 255 }));
    expect(changed.body.hash).not.toBe(first.body.hash);
    expect(h.renderer.variantRenders).toBe(renders + 1);
  });

  it('answers 304 to If-None-Match with the hash, and a new ETag after a new upload', async () => {
    const up = await put('icon', await png(100, 100));
    const res = await getVariant('icon', 'icon@2x.png');
    expect(res.headers.etag).toBe(`"${up.body.hash}"`);
    const cached = await getVariant('icon', 'icon@2x.png').set('If-None-Match', res.headers.etag as string);
    expect(cached.status).toBe(304);
    await put('icon', await png(100, 100, { r: 1, g: 2, b: 3 }));
    const stale = await getVariant('icon', 'icon@2x.png').set('If-None-Match', res.headers.etag as string);
    expect(stale.status).toBe(200);
  });

  it('deletes a slot with its variants', async () => {
    await put('icon', await png(100, 100));
    expect((await request(h.app).delete(`/v1/tiers/${tierId}/artwork/icon`).set(auth)).status).toBe(204);
    expect((await getVariant('icon', 'icon.png')).body.error.code).toBe('artwork_not_found');
    expect((await request(h.app).delete(`/v1/tiers/${tierId}/artwork/icon`).set(auth)).status).toBe(404);
  });

  it('answers 404 for unknown tiers, slots and variants', async () => {
    await put('icon', await png(100, 100));
    const codes = async (path: string) => {
      const res = await request(h.app).get(path).set(auth);
      return [res.status, res.body.error?.code];
    };
    expect(await codes('/v1/tiers/tier_nope/artwork')).toEqual([404, 'tier_not_found']);
    expect(await codes(`/v1/tiers/${tierId}/artwork/banner/icon.png`)).toEqual([
      404,
      'artwork_slot_not_found',
    ]);
    expect(await codes(`/v1/tiers/${tierId}/artwork/strip/strip.png`)).toEqual([404, 'artwork_not_found']);
    expect(await codes(`/v1/tiers/${tierId}/artwork/icon/icon@4x.png`)).toEqual([
      404,
      'artwork_variant_not_found',
    ]);
    expect(await codes('/v1/tiers/tier_nope/preview.png')).toEqual([404, 'tier_not_found']);
  });

  it("keeps a program's artwork from every other program", async () => {
    await put('icon', await png(100, 100));
    const other = await createProgram(h);
    expect((await getVariant('icon', 'icon.png', other.auth)).status).toBe(404);
    expect((await request(h.app).get(`/v1/tiers/${tierId}/artwork`).set(other.auth)).status).toBe(404);
    expect((await request(h.app).get(`/v1/tiers/${tierId}/preview.png`).set(other.auth)).status).toBe(404);
    expect((await put('icon', await png(100, 100), 'image/png', tierId, other.auth)).status).toBe(404);
    expect((await request(h.app).delete(`/v1/tiers/${tierId}/artwork/icon`).set(other.auth)).status).toBe(
      404,
    );
    expect((await getVariant('icon', 'icon.png')).status).toBe(200);
  });
});
