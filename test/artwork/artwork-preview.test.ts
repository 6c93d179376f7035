/** The pass-face preview: size, tier colours at known pixels, cache by inputs, pass images. */
import sharp from 'sharp';
import request from 'supertest';
import { PassBranding } from '../../src/features/passes/pass-branding.js';
import { EMPTY_TEMPLATES } from '../../src/features/passes/pass-templates.js';
import type { ProgramContext } from '../../src/program-context.js';
import { decodeQr } from '../passes/qr-decode.js';
import { createProgram } from '../support/harness.js';
import { type ArtworkHarness, pixel, png, startArtworkHarness } from './artwork-fixtures.js';

let h: ArtworkHarness;
let auth: { Authorization: string };
let programId: string;
beforeAll(async () => {
  h = await startArtworkHarness();
});
beforeEach(async () => {
  ({ auth, programId } = await createProgram(h));
});
afterAll(() => h.close());

const design = { backgroundColor: 'rgb(120, 20, 140)', foregroundColor: '#ffffff', labelColor: '#ffdd00' };

async function tier(body: Record<string, unknown>): Promise<string> {
  return (await request(h.app).post('/v1/tiers').set(auth).send(body)).body.id;
}

function put(tierId: string, slot: string, body: Buffer) {
  return request(h.app)
    .put(`/v1/tiers/${tierId}/artwork/${slot}`)
    .set(auth)
    .set('Content-Type', 'image/png')
    .send(body);
}

const preview = (tierId: string) => request(h.app).get(`/v1/tiers/${tierId}/preview.png`).set(auth);

/** Channel-wise distance, to allow for blending and PNG rounding. */
function near(
  actual: { r: number; g: number; b: number },
  expected: { r: number; g: number; b: number },
  by = 3,
) {
  expect(
    Math.abs(actual.r - expected.r) <= by &&
      Math.abs(actual.g - expected.g) <= by &&
      Math.abs(actual.b - expected.b) <= by,
  ).toBe(true);
}

describe('tier preview', () => {
  it('draws the pass model face: design colours, strip, logo and a real QR code', async () => {
    const id = await tier({
      title: 'Gold',
      design,
      qualifications: [{ type: 'lifetimePoints', minPoints: 5000 }],
    });
    await put(id, 'strip', await png(1125, 369, { r: 255, g: 255, b: 255 }));
    await put(id, 'logo', await png(480, 150, { r: 0, g: 200, b: 0 }));
    const res = await preview(id);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const meta = await sharp(res.body as Buffer).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 750, 1000]);
    // Card background below the fields, clear of text and barcode.
    near(await pixel(res.body, 40, 900), { r: 120, g: 20, b: 140 });
    // Strip corner: the strip as uploaded (Wallet lays nothing over it).
    near(await pixel(res.body, 740, 160), { r: 255, g: 255, b: 255 }, 4);
    // Logo drawn in the header (fitted into its 200×100 box, vertically centred).
    near(await pixel(res.body, 40, 66), { r: 0, g: 200, b: 0 });
    // The QR code is real: the sample member's id.
    expect(await decodeQr(res.body)).toBe('SAMPLE-0001');
  });

  it('uses default colours without a design and fills the strip area without a strip', async () => {
    const id = await tier({ title: 'Bronze' });
    const res = await preview(id);
    expect(res.status).toBe(200);
    near(await pixel(res.body, 40, 900), { r: 31, g: 41, b: 55 });
    near(await pixel(res.body, 740, 160), { r: 31, g: 41, b: 55 });
  });

  it('is drawn once per inputs: cached, 304 on its ETag, redrawn after a design change', async () => {
    const id = await tier({ title: 'Gold', design });
    const first = await preview(id);
    const drawn = h.renderer.previewRenders;
    const second = await preview(id);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(Buffer.compare(second.body, first.body)).toBe(0);
    expect(h.renderer.previewRenders).toBe(drawn);
    expect((await preview(id).set('If-None-Match', first.headers.etag as string)).status).toBe(304);

    await request(h.app)
      .patch(`/v1/tiers/${id}`)
      .set(auth)
      .send({ design: { ...design, backgroundColor: '#004400' } });
    const changed = await preview(id);
    expect(changed.headers.etag).not.toBe(first.headers.etag);
    expect(h.renderer.previewRenders).toBe(drawn + 1);
    near(await pixel(changed.body, 40, 900), { r: 0, g: 68, b: 0 });

    await put(id, 'strip', await png(400, 200));
    expect((await preview(id)).headers.etag).not.toBe(changed.headers.etag);
  });

  it('hands the passes feature the Apple bundle images by file name', async () => {
    const id = await tier({ title: 'Gold' });
    await put(id, 'icon', await png(100, 100));
    await put(id, 'strip', await png(1125, 369));
    await put(id, 'hero', await png(1032, 336));
    const program = await h.store.scoped(programId).program.get();
    const ctx: ProgramContext = { program, now: new Date() };
    const branding = new PassBranding({ store: h.store, templates: EMPTY_TEMPLATES, logger: { warn() {} } });
    const tierRecord = await h.store.scoped(programId).tiers.get(id);
    const images = await branding.files(ctx, await branding.of(ctx, tierRecord));
    expect(Object.keys(images).sort()).toEqual([
      'icon.png',
      'icon@2x.png',
      'icon@3x.png',
      'strip.png',
      'strip@2x.png',
      'strip@3x.png',
    ]);
    const meta = await sharp(images['strip@3x.png']).metadata();
    expect([meta.width, meta.height]).toEqual([1125, 369]);
  });
});
