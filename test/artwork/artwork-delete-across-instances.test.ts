/**
 * A DELETE wins over an upload still rendering when they reach different processes (WORKERS
 * > 1, or several instances on one database): two apps on the same test database, each with
 * its own store and its own in-process SlotUploads. The DELETE on B cannot abort A's render,
 * so A's render runs to its end; its write is then refused by the slot's generation.
 */
import request from 'supertest';
import { processUsage } from '../../src/integrations/images/image-work-pool.js';
import { createProgram } from '../support/harness.js';
import { type ArtworkHarness, png, startArtworkHarness } from './artwork-fixtures.js';

/** About 15 s of CPU (slowFilterSvg with 8 morphology passes instead of 19): slow enough to DELETE during it, short enough to wait for. */
const filterSvg = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="4000"><filter id="f" x="0" y="0" width="1" height="1"><feTurbulence baseFrequency="0.05" numOctaves="4"/>${'<feMorphology operator="dilate" radius="16"/>'.repeat(8)}</filter><rect width="4000" height="4000" filter="url(#f)"/></svg>`,
);

let a: ArtworkHarness;
let b: ArtworkHarness;
let auth: { Authorization: string };
let tierId: string;
beforeAll(async () => {
  a = await startArtworkHarness({ workers: 1, cpuMs: 120_000, wallMs: 120_000 });
  b = await startArtworkHarness();
}, 120_000);
beforeEach(async () => {
  ({ auth } = await createProgram(a));
  tierId = (await request(a.app).post('/v1/tiers').set(auth).send({ title: 'Gold' })).body.id;
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
}, 60_000);

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Start the slow upload on A and wait until its variant render burns CPU in A's child; its answer. */
async function slowUploadOnA(): Promise<{ answer: Promise<request.Response> }> {
  const before = a.renderer.variantRenders;
  const answer = request(a.app)
    .put(`/v1/tiers/${tierId}/artwork/strip`)
    .set(auth)
    .set('Content-Type', 'image/svg+xml')
    .send(filterSvg)
    .then((r) => r);
  await until('the render', () => a.renderer.variantRenders > before && a.renderer.pool.busy === 1);
  const pid = a.renderer.pool.pids[0] ?? 0;
  const start = processUsage(pid)?.cpuMs ?? 0;
  await until('CPU in the render', () => (processUsage(pid)?.cpuMs ?? 0) > start + 300);
  // Wrapped: an async function returning the promise itself would wait for it.
  return { answer };
}

async function expectNothingStored(): Promise<void> {
  for (const app of [a.app, b.app]) {
    expect((await request(app).get(`/v1/tiers/${tierId}/artwork`).set(auth)).body.data).toEqual([]);
    const variant = await request(app).get(`/v1/tiers/${tierId}/artwork/strip/strip.png`).set(auth);
    expect(variant.status).toBe(404);
  }
}

/**
 * B's DELETE did not reach A's render: it is still running when the DELETE has answered, so
 * its write comes after the DELETE and must be refused (409), leaving nothing stored.
 */
async function expectCancelledWhileRendering(upload: Promise<request.Response>): Promise<void> {
  expect(a.renderer.pool.busy).toBe(1);
  const answered = await upload;
  expect(answered.status).toBe(409);
  expect(answered.body.error.code).toBe('artwork_upload_cancelled');
  await expectNothingStored();
}

describe('a DELETE on another instance during the render', () => {
  it('wins over a first upload: the DELETE answers 404, the upload 409, nothing stored', async () => {
    const { answer: upload } = await slowUploadOnA();
    const del = await request(b.app).delete(`/v1/tiers/${tierId}/artwork/strip`).set(auth);
    expect(del.status).toBe(404);
    await expectCancelledWhileRendering(upload);
  }, 180_000);

  it('wins over a replacement: the old artwork is deleted and the new never lands', async () => {
    const first = await request(a.app)
      .put(`/v1/tiers/${tierId}/artwork/strip`)
      .set(auth)
      .set('Content-Type', 'image/png')
      .send(await png(750, 246));
    expect(first.status).toBe(200);
    const { answer: upload } = await slowUploadOnA();
    const del = await request(b.app).delete(`/v1/tiers/${tierId}/artwork/strip`).set(auth);
    expect(del.status).toBe(204);
    await expectCancelledWhileRendering(upload);
  }, 180_000);

  it('leaves an upload that started after the DELETE alone', async () => {
    expect((await request(b.app).delete(`/v1/tiers/${tierId}/artwork/strip`).set(auth)).status).toBe(404);
    const upload = await request(a.app)
      .put(`/v1/tiers/${tierId}/artwork/strip`)
      .set(auth)
      .set('Content-Type', 'image/png')
      .send(await png(750, 246));
    expect(upload.status).toBe(200);
    const variant = await request(b.app).get(`/v1/tiers/${tierId}/artwork/strip/strip.png`).set(auth);
    expect(variant.status).toBe(200);
  }, 60_000);
});
