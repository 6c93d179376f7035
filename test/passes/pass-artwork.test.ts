import { createHash } from 'node:crypto';
import sharp from 'sharp';
import request from 'supertest';
import { ADMIN_TOKEN, uid } from '../support/harness.js';
import {
  fetchPass,
  openPkpass,
  type PassHarness,
  startPassHarness,
  verifySignature,
} from './pass-harness.js';

let h: PassHarness;
beforeAll(async () => {
  h = await startPassHarness();
});
afterAll(() => h.close());

const sha1 = (b: Buffer | undefined) =>
  createHash('sha1')
    .update(b ?? Buffer.alloc(0))
    .digest('hex');

describe('tier artwork in passes', () => {
  it('puts the uploaded icon and strip of a visible tier in its pass, never for a hidden one', async () => {
    const program = await request(h.app)
      .post('/v1/programs')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ name: 'Art shop', currency: 'USD' });
    const auth = { Authorization: `Bearer ${program.body.apiKey}` };
    const tier = (await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Member' })).body
      .id as string;
    const id = uid('art');
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({});
    const path = `/v1/customers/${id}/passes/apple`;
    const before = openPkpass((await fetchPass(h, path, auth)).body as Buffer);
    expect(before.files['strip.png']).toBeUndefined();

    const red = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#c00' } })
      .png()
      .toBuffer();
    for (const slot of ['icon', 'strip']) {
      const up = await request(h.app)
        .put(`/v1/tiers/${tier}/artwork/${slot}`)
        .set(auth)
        .set('Content-Type', 'image/png')
        .send(red);
      expect(up.status).toBeLessThan(300);
    }
    const builds = h.passes.stats.builds;
    const after = openPkpass((await fetchPass(h, path, auth)).body as Buffer);
    expect(h.passes.stats.builds).toBe(builds + 1);
    expect(sha1(after.files['icon.png'])).not.toBe(sha1(before.files['icon.png']));
    expect(after.files['strip@3x.png']).toBeDefined();
    expect(after.files['logo.png']).toEqual(before.files['logo.png']);
    await expect(verifySignature(h, after.files)).resolves.toMatch(/Verification successful/);

    await request(h.app).patch(`/v1/tiers/${tier}`).set(auth).send({ visible: false });
    const hidden = openPkpass((await fetchPass(h, path, auth)).body as Buffer);
    expect(hidden.files['strip.png']).toBeUndefined();
    expect(hidden.files['icon.png']).toEqual(before.files['icon.png']);
  });
});
