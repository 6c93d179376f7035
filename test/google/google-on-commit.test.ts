/**
 * Google Wallet updates delivered right after the commit that queued them (main.ts turns this
 * on), on a database of its own: an outbox no other test file's dispatcher claims from.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { uid } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { type GoogleHarness, startGoogleHarness } from './google-harness.js';
import { verifyJwt } from './google-stand-in.js';

let h: GoogleHarness;
let temp: Awaited<ReturnType<typeof createTempDatabase>>;
beforeAll(async () => {
  temp = await createTempDatabase();
  h = await startGoogleHarness({ pushOnCommit: true, databaseUrl: temp.url });
});
afterAll(async () => {
  await h?.close();
  await temp?.drop();
});

it('patches the object and notifies after an upgrading order without waiting for the job', async () => {
  const created = await request(h.app)
    .post('/v1/programs')
    .set('Authorization', 'Bearer test-admin-token-0123456789')
    .send({ name: 'Embedded shop', earning: { pointsPerUnit: 10 } });
  const auth = { Authorization: `Bearer ${created.body.apiKey}` };
  await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Bronze' }).expect(201);
  await request(h.app)
    .post('/v1/tiers')
    .set(auth)
    .send({ title: 'Gold', qualifications: [{ type: 'lifetimePoints', minPoints: 1000 }] })
    .expect(201);
  const c = uid('cust');
  await request(h.app).put(`/v1/customers/${c}`).set(auth).send({ name: 'Grace' }).expect(201);
  const link = await request(h.app).get(`/v1/customers/${c}/passes/google`).set(auth);
  expect(link.status).toBe(200);
  const jwt = (link.body.saveUrl as string).split('/').at(-1) as string;
  const objectId = (
    verifyJwt(jwt, h.account.publicKey).claims.payload as { loyaltyObjects: { id: string }[] }
  ).loyaltyObjects[0]?.id as string;

  await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: uid('o'), customerId: c, amount: 10000 })
    .expect(201);
  // No dispatch call here: the commit's kick delivers it.
  for (let i = 0; i < 100 && !h.standIn.objects.get(objectId)?.messages; i++) await sleep(20);
  const object = h.standIn.objects.get(objectId);
  expect(object?.loyaltyPoints).toEqual({ label: 'Points', balance: { int: 1000 } });
  expect(object?.messages?.map((m) => [m.header, m.messageType])).toEqual([
    ["You're now Gold", 'TEXT_AND_NOTIFY'],
  ]);
});
