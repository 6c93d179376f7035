/**
 * Program-wide branding (issue 11 item 5, decision 0025): the program design and artwork, their
 * inheritance by tiers field by field and slot by slot, and a customer who drops to a tier
 * without a design keeping the merchant's branding.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import request from 'supertest';
import { ADMIN_TOKEN, uid } from '../support/harness.js';
import { fetchPass, openPkpass, type PassHarness, startPassHarness } from './pass-harness.js';
import { decodeQr } from './qr-decode.js';

let h: PassHarness;
let auth: { Authorization: string };
let silver: string;
let gold: string;

beforeAll(async () => {
  h = await startPassHarness();
});
afterAll(() => h.close());

beforeEach(async () => {
  const res = await request(h.app)
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({ name: 'Maison Lumière', currency: 'EUR', earning: { pointsPerUnit: 1 } });
  auth = { Authorization: `Bearer ${res.body.apiKey}` };
  silver = (await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Silver' }).expect(201)).body.id;
  gold = (
    await request(h.app)
      .post('/v1/tiers')
      .set(auth)
      .send({ title: 'Gold', qualifications: [{ type: 'lifetimePoints', minPoints: 3000 }] })
      .expect(201)
  ).body.id;
});

const sha = (b: Buffer | undefined) =>
  createHash('sha256')
    .update(b ?? Buffer.alloc(0))
    .digest('hex');
const solid = (width: number, height: number, background: string) =>
  sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();

function putArtwork(path: string, body: Buffer) {
  return request(h.app).put(path).set(auth).set('Content-Type', 'image/png').send(body);
}

async function passOf(customerId: string) {
  const res = await fetchPass(h, `/v1/customers/${customerId}/passes/apple`, auth);
  expect(res.status).toBe(200);
  return openPkpass(res.body as Buffer);
}

describe('program design', () => {
  it('is {} at first, stored normalised, validated like a tier design', async () => {
    expect((await request(h.app).get('/v1/program/design').set(auth)).body).toEqual({ design: {} });
    const put = await request(h.app)
      .put('/v1/program/design')
      .set(auth)
      .send({ backgroundColor: '#112233', labels: { points: 'Stars' } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ design: { backgroundColor: 'rgb(17, 34, 51)', labels: { points: 'Stars' } } });
    expect((await request(h.app).get('/v1/program/design').set(auth)).body).toEqual(put.body);
    const bad = await request(h.app)
      .put('/v1/program/design')
      .set(auth)
      .send({ backgroundColor: 'red', x: 1 });
    expect(bad.status).toBe(400);
    expect((await request(h.app).get('/v1/program/design')).status).toBe(401);
  });

  it('is inherited field by field: template < program < tier', async () => {
    await request(h.app)
      .put('/v1/program/design')
      .set(auth)
      .send({ backgroundColor: '#112233', logoText: 'Lumière', labels: { points: 'Stars', tier: 'Level' } })
      .expect(200);
    await request(h.app)
      .put(`/v1/tiers/${gold}/design`)
      .set(auth)
      .send({ backgroundColor: '#d4af37', labels: { tier: 'Status' } })
      .expect(200);
    const id = uid('cust');
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({ name: 'Ada' });
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('o'), customerId: id, amount: 400000 })
      .expect(201);
    const { pass } = await passOf(id);
    expect(pass.backgroundColor).toBe('rgb(212, 175, 55)');
    // Template colours (pass-templates/tiers/gold) where neither design sets one.
    expect(pass.foregroundColor).toBe('rgb(40, 30, 0)');
    expect(pass.logoText).toBe('Lumière');
    expect(pass.storeCard.headerFields[0]).toMatchObject({ key: 'tier', label: 'Status', value: 'Gold' });
    expect(pass.storeCard.primaryFields[0]).toMatchObject({ key: 'points', label: 'Stars' });
  });
});

describe('program artwork', () => {
  it('has the tier artwork routes, limits and codes', async () => {
    const logo = await solid(480, 150, '#00c800');
    const up = await putArtwork('/v1/program/artwork/logo', logo);
    expect(up.status).toBe(200);
    expect(up.body.variants.map((v: { name: string }) => v.name)).toContain('logo@2x.png');
    const list = await request(h.app).get('/v1/program/artwork').set(auth);
    expect(list.body.data.map((s: { slot: string }) => s.slot)).toEqual(['logo']);
    const variant = await request(h.app).get('/v1/program/artwork/logo/logo@2x.png').set(auth);
    expect(variant.status).toBe(200);
    expect(variant.headers.etag).toBe(`"${up.body.hash}"`);
    expect((await request(h.app).get('/v1/program/artwork/logo/nope.png').set(auth)).body.error.code).toBe(
      'artwork_variant_not_found',
    );
    expect((await putArtwork('/v1/program/artwork/banner', logo)).body.error.code).toBe(
      'artwork_slot_not_found',
    );
    expect((await putArtwork('/v1/program/artwork/strip', Buffer.alloc(0))).body.error.code).toBe(
      'artwork_empty',
    );
    expect((await request(h.app).delete('/v1/program/artwork/logo').set(auth)).status).toBe(204);
    const gone = await request(h.app).get('/v1/program/artwork/logo/logo@2x.png').set(auth);
    expect([gone.status, gone.body.error.code]).toEqual([404, 'artwork_not_found']);
    // The program's owner id is not reachable as a tier.
    expect((await request(h.app).get('/v1/tiers/*program/artwork').set(auth)).status).toBe(404);
  });

  it('a customer who drops from Gold to Silver (no design) keeps the program logo and colours', async () => {
    await request(h.app).put('/v1/program/design').set(auth).send({ backgroundColor: '#112233' }).expect(200);
    const programLogo = await solid(480, 150, '#00c800');
    expect((await putArtwork('/v1/program/artwork/logo', programLogo)).status).toBe(200);
    // Gold has a design and a logo of its own.
    await request(h.app)
      .put(`/v1/tiers/${gold}/design`)
      .set(auth)
      .send({ backgroundColor: '#d4af37' })
      .expect(200);
    expect(
      (await putArtwork(`/v1/tiers/${gold}/artwork/logo`, await solid(480, 150, '#c00000'))).status,
    ).toBe(200);
    const programLogo2x = (await request(h.app).get('/v1/program/artwork/logo/logo@2x.png').set(auth)).body;
    const goldLogo2x = (await request(h.app).get(`/v1/tiers/${gold}/artwork/logo/logo@2x.png`).set(auth))
      .body;

    const id = uid('cust');
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({ name: 'Ada' });
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('o'), customerId: id, amount: 400000 })
      .expect(201);
    const inGold = await passOf(id);
    expect(inGold.pass.storeCard.headerFields[0].value).toBe('Gold');
    expect(inGold.pass.backgroundColor).toBe('rgb(212, 175, 55)');
    expect(sha(inGold.files['logo@2x.png'])).toBe(sha(goldLogo2x));

    // Gold switched off: its members drop to Silver at once (Silver has no design, no artwork).
    await request(h.app).patch(`/v1/tiers/${gold}`).set(auth).send({ enabled: false }).expect(200);
    const customer = await request(h.app).get(`/v1/customers/${id}`).set(auth);
    expect(customer.body.tier.id).toBe(silver);
    const inSilver = await passOf(id);
    expect(inSilver.pass.storeCard.headerFields[0].value).toBe('Silver');
    expect(inSilver.pass.backgroundColor).toBe('rgb(17, 34, 51)');
    expect(sha(inSilver.files['logo@2x.png'])).toBe(sha(programLogo2x));

    // Hidden tier: program branding too, and no tier name.
    await request(h.app).patch(`/v1/tiers/${silver}`).set(auth).send({ visible: false }).expect(200);
    const hidden = await passOf(id);
    expect(hidden.pass.storeCard.headerFields).toEqual([]);
    expect(hidden.pass.backgroundColor).toBe('rgb(17, 34, 51)');
    expect(sha(hidden.files['logo@2x.png'])).toBe(sha(programLogo2x));
  });

  it('slot by slot: a tier strip over the program logo over the template icon', async () => {
    const programLogo = await solid(480, 150, '#00c800');
    await putArtwork('/v1/program/artwork/logo', programLogo).expect(200);
    await putArtwork(`/v1/tiers/${silver}/artwork/strip`, await solid(1125, 369, '#0000c0')).expect(200);
    const id = uid('cust');
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({});
    const { files } = await passOf(id);
    const programLogo2x = (await request(h.app).get('/v1/program/artwork/logo/logo@2x.png').set(auth)).body;
    expect(sha(files['logo@2x.png'])).toBe(sha(programLogo2x));
    expect(files['strip@2x.png']).toBeDefined();
    const templateIcon = (await import('node:fs')).readFileSync('pass-templates/default/icon.png');
    expect(sha(files['icon.png'])).toBe(sha(templateIcon));
  });

  it('draws the program preview from the model with a real QR code, cached by content', async () => {
    await request(h.app).put('/v1/program/design').set(auth).send({ backgroundColor: '#112233' }).expect(200);
    const res = await request(h.app).get('/v1/program/preview.png').set(auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(await decodeQr(res.body)).toBe('SAMPLE-0001');
    const again = await request(h.app)
      .get('/v1/program/preview.png')
      .set(auth)
      .set('If-None-Match', String(res.headers.etag));
    expect(again.status).toBe(304);
    await request(h.app).put('/v1/program/design').set(auth).send({ backgroundColor: '#332211' }).expect(200);
    const changed = await request(h.app).get('/v1/program/preview.png').set(auth);
    expect(changed.headers.etag).not.toBe(res.headers.etag);
    // The tier preview inherits the program design.
    const tier = await request(h.app).get(`/v1/tiers/${silver}/preview.png`).set(auth);
    expect(await decodeQr(tier.body)).toBe('SAMPLE-0001');
    const { data } = await sharp(tier.body)
      .extract({ left: 40, top: 900, width: 1, height: 1 })
      .raw()
      .toBuffer({
        resolveWithObject: true,
      });
    expect([...data.subarray(0, 3)]).toEqual([0x33, 0x22, 0x11]);
  });
});
