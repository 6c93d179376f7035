/**
 * The preview and the real Google pass agree: the class and object the Wallet API stand-in holds
 * after a save link are exactly `googlePassModel(pass-sample input)` mapped to bodies; a program
 * design change reaches the class through the outbox.
 */
import request from 'supertest';
import { googlePassModel } from '../../src/features/passes/pass-model.js';
import { ADMIN_TOKEN, uid } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { type GoogleHarness, startGoogleHarness } from './google-harness.js';

let h: GoogleHarness;
let temp: { url: string; drop(): Promise<void> };
let auth: { Authorization: string };
beforeAll(async () => {
  temp = await createTempDatabase();
  h = await startGoogleHarness({ databaseUrl: temp.url });
});
afterAll(async () => {
  await h.close();
  await temp.drop();
});
beforeEach(async () => {
  const res = await request(h.app)
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({ name: 'Maison Lumière', currency: 'EUR', earning: { pointsPerUnit: 1 } });
  auth = { Authorization: `Bearer ${res.body.apiKey}` };
  await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Bronze' }).expect(201);
  await request(h.app)
    .post('/v1/tiers')
    .set(auth)
    .send({ title: 'Gold', qualifications: [{ type: 'lifetimePoints', minPoints: 3000 }] })
    .expect(201);
});

describe('Google pass and the shared model', () => {
  it('sends the class and object of googlePassModel(sample input), and follows a program design change', async () => {
    await request(h.app)
      .put('/v1/program/design')
      .set(auth)
      .send({ backgroundColor: '#112233', labels: { points: 'Stars' }, texts: { about: 'Since 1921' } })
      .expect(200);
    const id = uid('cust');
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({ name: 'Ada Lovelace' });
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('o'), customerId: id, amount: 1000 })
      .expect(201);
    expect((await request(h.app).get(`/v1/customers/${id}/passes/google`).set(auth)).status).toBe(200);
    const sample = await request(h.app).get('/v1/program/pass-sample').query({ customerId: id }).set(auth);
    const model = googlePassModel(sample.body.input);
    const object = [...h.standIn.objects.values()].find((o) => o.accountId === id) as Record<string, unknown>;
    expect(object).toMatchObject({
      accountId: model.accountId,
      accountName: model.accountName,
      loyaltyPoints: { label: model.loyaltyPoints.label, balance: { int: model.loyaltyPoints.balance } },
      barcode: model.barcode,
      textModulesData: model.objectTextModules,
    });
    const klass = h.standIn.classes.get(object.classId as string) as Record<string, unknown>;
    expect(klass).toMatchObject({
      issuerName: model.issuerName,
      programName: model.programName,
      hexBackgroundColor: '#112233',
      rewardsTierLabel: model.rewardsTier?.label,
      rewardsTier: model.rewardsTier?.value,
      accountIdLabel: model.accountIdLabel,
      accountNameLabel: model.accountNameLabel,
      textModulesData: model.classTextModules,
    });

    await request(h.app).put('/v1/program/design').set(auth).send({ backgroundColor: '#332211' }).expect(200);
    await h.dispatcher.dispatch();
    expect(h.standIn.classes.get(object.classId as string)?.hexBackgroundColor).toBe('#332211');
  });
});
