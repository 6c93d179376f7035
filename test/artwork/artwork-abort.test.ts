/**
 * A render nobody waits for stops: a client that disconnects mid-render, or a DELETE of
 * the slot meanwhile, kills the render child, stores nothing (the DELETE wins) and frees
 * the worker for the next upload. The render is slowFilterSvg (~30 s of CPU uncapped);
 * each test lets it run about a second.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { processUsage } from '../../src/integrations/images/image-work-pool.js';
import { createProgram } from '../support/harness.js';
import { type ArtworkHarness, png, startArtworkHarness } from './artwork-fixtures.js';
import { slowFilterSvg } from './hostile-images.js';

let h: ArtworkHarness;
let server: http.Server;
let auth: { Authorization: string };
let tierId: string;
beforeAll(async () => {
  h = await startArtworkHarness({ workers: 1, cpuMs: 120_000, wallMs: 120_000 });
  server = h.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
}, 60_000);
beforeEach(async () => {
  ({ auth } = await createProgram(h));
  tierId = (await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Gold' })).body.id;
});
afterAll(async () => {
  server.close();
  await h.close();
});

/** A PUT on a real socket, so the test can drop the connection. */
function startPut(slot: string, body: Buffer, type: string) {
  const { port } = server.address() as AddressInfo;
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'PUT',
    path: `/v1/tiers/${tierId}/artwork/${slot}`,
    headers: { ...auth, 'Content-Type': type, 'Content-Length': body.length },
  });
  const response = new Promise<{ status: number; body: { error?: { code: string } } }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') }));
    });
    req.on('error', reject);
  });
  req.end(body);
  return { req, response };
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Wait until the variant render is running in a child; its pid. */
async function renderRunning(rendersBefore: number): Promise<number> {
  await until('the render', () => h.renderer.variantRenders > rendersBefore && h.renderer.pool.busy === 1);
  const pid = h.renderer.pool.pids[0] ?? 0;
  await until('CPU in the child', () => (processUsage(pid)?.cpuMs ?? 0) > 300);
  return pid;
}

const alive = (pid: number) => processUsage(pid) !== null;

async function slots(): Promise<unknown[]> {
  return (await request(h.app).get(`/v1/tiers/${tierId}/artwork`).set(auth)).body.data;
}

async function workerServesNextUpload(): Promise<void> {
  expect(h.renderer.pool.busy).toBe(0);
  const ok = await request(h.app)
    .put(`/v1/tiers/${tierId}/artwork/icon`)
    .set(auth)
    .set('Content-Type', 'image/png')
    .send(await png(100, 100));
  expect(ok.status).toBe(200);
}

describe('abandoned renders', () => {
  it('a client that disconnects mid-render: child killed, nothing stored, worker free', async () => {
    const put = startPut('strip', slowFilterSvg, 'image/svg+xml');
    put.response.catch(() => undefined);
    const pid = await renderRunning(h.renderer.variantRenders);
    put.req.destroy();
    await until('the child to be killed', () => !alive(pid), 10_000);
    // Long enough for a render that went on to store.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await slots()).toEqual([]);
    await workerServesNextUpload();
  }, 90_000);

  it('a DELETE during the render wins: 404 for nothing stored yet, the upload 409, nothing reappears', async () => {
    const put = startPut('strip', slowFilterSvg, 'image/svg+xml');
    const pid = await renderRunning(h.renderer.variantRenders);
    const del = await request(h.app).delete(`/v1/tiers/${tierId}/artwork/strip`).set(auth);
    expect(del.status).toBe(404);
    const answer = await put.response;
    expect(answer.status).toBe(409);
    expect(answer.body.error?.code).toBe('artwork_upload_cancelled');
    await until('the child to be killed', () => !alive(pid), 10_000);
    expect(await slots()).toEqual([]);
    await workerServesNextUpload();
  }, 90_000);

  it('a DELETE during the render of a replacement removes the old artwork and the new never lands', async () => {
    const first = await request(h.app)
      .put(`/v1/tiers/${tierId}/artwork/strip`)
      .set(auth)
      .set('Content-Type', 'image/png')
      .send(await png(750, 246));
    expect(first.status).toBe(200);
    const put = startPut('strip', slowFilterSvg, 'image/svg+xml');
    await renderRunning(h.renderer.variantRenders);
    const del = await request(h.app).delete(`/v1/tiers/${tierId}/artwork/strip`).set(auth);
    expect(del.status).toBe(204);
    expect((await put.response).status).toBe(409);
    await new Promise((r) => setTimeout(r, 500));
    expect(await slots()).toEqual([]);
    const variant = await request(h.app).get(`/v1/tiers/${tierId}/artwork/strip/strip.png`).set(auth);
    expect(variant.status).toBe(404);
  }, 90_000);
});

describe('a bounded queue', () => {
  let one: ArtworkHarness;
  beforeAll(async () => {
    one = await startArtworkHarness({ workers: 1, queue: 0, cpuMs: 120_000, wallMs: 120_000 });
  }, 60_000);
  afterAll(() => one.close());

  it('answers 503 image_work_busy with Retry-After when every child is busy and the queue is full', async () => {
    const { auth: a } = await createProgram(one);
    const tier = (await request(one.app).post('/v1/tiers').set(a).send({ title: 'Busy' })).body.id;
    const slow = request(one.app)
      .put(`/v1/tiers/${tier}/artwork/strip`)
      .set(a)
      .set('Content-Type', 'image/svg+xml')
      .send(slowFilterSvg)
      .then((r) => r);
    await until('the slow render', () => one.renderer.variantRenders > 0 && one.renderer.pool.busy === 1);
    const busy = await request(one.app)
      .put(`/v1/tiers/${tier}/artwork/icon`)
      .set(a)
      .set('Content-Type', 'image/png')
      .send(await png(100, 100));
    expect(busy.status).toBe(503);
    expect(busy.body.error.code).toBe('image_work_busy');
    expect(busy.headers['retry-after']).toBe('5');
    // The DELETE ends the slow render; nothing of either upload is stored.
    await request(one.app).delete(`/v1/tiers/${tier}/artwork/strip`).set(a);
    expect((await slow).status).toBe(409);
    expect((await request(one.app).get(`/v1/tiers/${tier}/artwork`).set(a)).body.data).toEqual([]);
  }, 90_000);
});
