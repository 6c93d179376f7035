/**
 * The preview and the real pass agree (issue 11): for a real customer, the pass-sample endpoint's
 * input run through the shared model gives exactly the fields, order and barcode of the signed
 * .pkpass, and the Google class and object bodies sent to the Wallet API.
 */
import request from 'supertest';
import { applePassModel, googlePassModel } from '../../src/features/passes/pass-model.js';
import { uid } from '../support/harness.js';
import {
  createBronzeGoldProgram,
  fetchPass,
  openPkpass,
  type PassHarness,
  startPassHarness,
} from './pass-harness.js';

let h: PassHarness;
let auth: { Authorization: string };
beforeAll(async () => {
  h = await startPassHarness();
});
afterAll(() => h.close());
beforeEach(async () => {
  auth = await createBronzeGoldProgram(h);
});

const FIELD_LISTS = [
  'headerFields',
  'primaryFields',
  'secondaryFields',
  'auxiliaryFields',
  'backFields',
] as const;

describe('pass sample', () => {
  it('agrees with the real .pkpass for a real customer (fields, labels, values, order, barcode)', async () => {
    const tiers = (await request(h.app).get('/v1/tiers').set(auth)).body.data as {
      id: string;
      title: string;
    }[];
    const gold = tiers.find((t) => t.title === 'Gold')?.id as string;
    await request(h.app)
      .put('/v1/program/design')
      .set(auth)
      .send({ backgroundColor: '#112233', labels: { points: 'Stars' }, texts: { about: 'Since 1921' } })
      .expect(200);
    await request(h.app)
      .put(`/v1/tiers/${gold}/design`)
      .set(auth)
      .send({ logoText: 'Gold club' })
      .expect(200);
    for (const [id, amount] of [
      [uid('cust'), 1000],
      [uid('cust'), 400000],
    ] as const) {
      await request(h.app).put(`/v1/customers/${id}`).set(auth).send({ name: 'Ada Lovelace' });
      await request(h.app)
        .post('/v1/orders')
        .set(auth)
        .send({ id: uid('o'), customerId: id, amount })
        .expect(201);
      const sample = await request(h.app)
        .get(`/v1/tiers/${gold}/pass-sample`)
        .query({ customerId: id })
        .set(auth);
      expect(sample.status).toBe(200);
      expect(sample.body.customerId).toBe(id);
      const model = applePassModel(sample.body.input);
      const { pass } = openPkpass(
        (await fetchPass(h, `/v1/customers/${id}/passes/apple`, auth)).body as Buffer,
      );
      for (const list of FIELD_LISTS) expect(pass.storeCard[list]).toEqual(model[list]);
      expect(pass.barcodes).toEqual([model.barcode]);
      for (const key of [
        'organizationName',
        'description',
        'logoText',
        'foregroundColor',
        'backgroundColor',
        'labelColor',
      ] as const) {
        expect(pass[key]).toBe(model[key]);
      }
      expect(pass.storeCard.secondaryFields.length).toBe(1);
      // The Google model of the same input (class/object bodies are mapped from it).
      const g = googlePassModel(sample.body.input);
      expect(g.barcode.value).toBe(id);
      expect(g.loyaltyPoints.label).toBe('Stars');
    }
  });

  it('gives the sample member of a tier, its own and base designs, and image URLs that load', async () => {
    const tiers = (await request(h.app).get('/v1/tiers').set(auth)).body.data as {
      id: string;
      title: string;
    }[];
    const gold = tiers.find((t) => t.title === 'Gold')?.id as string;
    await request(h.app).put('/v1/program/design').set(auth).send({ backgroundColor: '#112233' }).expect(200);
    await request(h.app)
      .put(`/v1/tiers/${gold}/design`)
      .set(auth)
      .send({ logoText: 'Gold club' })
      .expect(200);
    const res = await request(h.app).get(`/v1/tiers/${gold}/pass-sample`).set(auth);
    expect(res.status).toBe(200);
    expect(res.body.customerId).toBeNull();
    expect(res.body.input).toMatchObject({
      memberId: 'SAMPLE-0001',
      memberName: 'Sample Member',
      points: 3000,
      tierName: 'Gold',
      design: { backgroundColor: 'rgb(17, 34, 51)', logoText: 'Gold club' },
    });
    expect(res.body.baseDesign).toEqual({ backgroundColor: 'rgb(17, 34, 51)' });
    expect(res.body.ownDesign).toEqual({ logoText: 'Gold club' });
    expect(res.body.tierShown).toBe(true);
    for (const url of [res.body.images.logo, res.body.images.icon]) {
      expect(url).toMatch(/^\/v1\//);
      const img = await request(h.app).get(url).set(auth);
      expect([img.status, img.headers['content-type']]).toEqual([200, 'image/png']);
    }
    const program = await request(h.app).get('/v1/program/pass-sample').set(auth);
    expect(program.body.input.tierName).toBeNull();
    expect(program.body.ownDesign).toEqual({ backgroundColor: 'rgb(17, 34, 51)' });
    expect(program.body.baseDesign).toEqual({});
    expect((await request(h.app).get('/v1/tiers/tier_nope/pass-sample').set(auth)).status).toBe(404);
    expect((await request(h.app).get('/v1/program/pass-sample?customerId=nobody').set(auth)).status).toBe(
      404,
    );
  });
});
