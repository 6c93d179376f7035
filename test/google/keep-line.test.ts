/**
 * "What keeps my tier" on the wallet passes (issue 15 item 5, docs/decisions/0040): in cycle
 * mode the Apple pass.json and the Google object show the keep status headline the API's
 * `keep` (and the downgrade warning) compute, and it changes — with the Apple update tag — as
 * the customer earns. The real app on its own database, Apple passes signed by a dev PKI and
 * the Google stand-in.
 */
import request from 'supertest';
import { fetchPass, openPkpass } from '../passes/pass-harness.js';
import { fixedClock, uid } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { type GoogleHarness, startGoogleHarness } from './google-harness.js';
import { settleOutbox } from './google-sql.js';
import { verifyJwt } from './google-stand-in.js';

const clock = fixedClock(new Date('2027-02-01T10:00:00Z'));
let h: GoogleHarness;
let temp: Awaited<ReturnType<typeof createTempDatabase>> | undefined;
beforeAll(async () => {
  temp = await createTempDatabase();
  h = await startGoogleHarness({ clock, databaseUrl: temp.url });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await temp?.drop();
});
beforeEach(async () => {
  await settleOutbox(temp?.url);
  clock.set(new Date('2027-02-01T10:00:00Z'));
});

async function program(retention: Record<string, unknown>) {
  const res = await request(h.app)
    .post('/v1/programs')
    .set('Authorization', 'Bearer test-admin-token-0123456789')
    .send({
      name: 'Maison Lumière',
      currency: 'USD',
      timezone: 'UTC',
      earning: { pointsPerUnit: 10 },
      retention,
    });
  expect(res.status).toBe(201);
  const auth = { Authorization: `Bearer ${res.body.apiKey}` };
  await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Bronze' }).expect(201);
  await request(h.app)
    .post('/v1/tiers')
    .set(auth)
    .send({
      title: 'Gold',
      qualifications: [{ type: 'lifetimePoints', minPoints: 1000 }],
      maintain: [{ type: 'carryPoints', minPoints: 1500 }],
    })
    .expect(201);
  return auth;
}

async function applePass(auth: { Authorization: string }, customerId: string) {
  const res = await fetchPass(h as never, `/v1/customers/${customerId}/passes/apple`, auth);
  expect(res.status).toBe(200);
  const { pass } = openPkpass(res.body as Buffer);
  return { pass, tag: res.headers.etag as string };
}

async function googleObject(auth: { Authorization: string }, customerId: string) {
  const link = await request(h.app).get(`/v1/customers/${customerId}/passes/google`).set(auth);
  expect(link.status).toBe(200);
  const jwt = (link.body.saveUrl as string).split('/').at(-1) as string;
  const payload = verifyJwt(jwt, h.account.publicKey).claims.payload as { loyaltyObjects: { id: string }[] };
  return payload.loyaltyObjects[0]?.id as string;
}

const order = (auth: { Authorization: string }, customerId: string, amount: number) =>
  request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: uid('order'), customerId, amount })
    .expect(201);

const keepField = (pass: { storeCard: { secondaryFields: { key: string; value?: unknown }[] } }) =>
  pass.storeCard.secondaryFields.find((f) => f.key === 'keep');
const keepModule = (objectId: string) =>
  ((h.standIn.objects.get(objectId)?.textModulesData ?? []) as { id: string; body?: string }[]).find(
    (m) => m.id === 'keep',
  );

it('shows what keeps the tier on both passes in cycle mode, updated as the customer earns', async () => {
  const auth = await program({ mode: 'cycle', cycle: { every: 'P3M', anchor: '2027-01-01' } });
  const c = uid('cust');
  await request(h.app).put(`/v1/customers/${c}`).set(auth).send({ name: 'Ann' }).expect(201);
  await order(auth, c, 10000); // 1,000 points: Gold; keeping it needs 1,500 this cycle
  const api = await request(h.app).get(`/v1/customers/${c}`).set(auth);
  expect(api.body.keep.headline).toBe('500 points this cycle by 1 Apr 2027 to keep Gold');

  const before = await applePass(auth, c);
  expect(keepField(before.pass)).toEqual({
    key: 'keep',
    label: 'Keep your tier',
    value: '500 points this cycle by 1 Apr 2027 to keep Gold',
  });
  const objectId = await googleObject(auth, c);
  expect(keepModule(objectId)).toEqual({
    id: 'keep',
    header: 'Keep your tier',
    body: '500 points this cycle by 1 Apr 2027 to keep Gold',
  });

  // Earning changes the line on both passes (and the Apple update tag with it).
  await order(auth, c, 3000); // +300: 200 to go
  await h.dispatcher.dispatch();
  const partway = await applePass(auth, c);
  expect(keepField(partway.pass)?.value).toBe('200 points this cycle by 1 Apr 2027 to keep Gold');
  expect(partway.tag).not.toBe(before.tag);
  expect(keepModule(objectId)?.body).toBe('200 points this cycle by 1 Apr 2027 to keep Gold');

  await order(auth, c, 2000); // +200: met
  await h.dispatcher.dispatch();
  const met = await applePass(auth, c);
  const line = (await request(h.app).get(`/v1/customers/${c}`).set(auth)).body.keep.headline;
  expect(line).toBe('Gold is kept at the boundary on 1 Apr 2027');
  expect(keepField(met.pass)?.value).toBe(line);
  expect(met.tag).not.toBe(partway.tag);
  expect(keepModule(objectId)?.body).toBe(line);
});

it('shows no keep line outside cycle mode', async () => {
  const auth = await program({ mode: 'continuous' });
  const c = uid('cust');
  await request(h.app).put(`/v1/customers/${c}`).set(auth).send({ name: 'Bo' }).expect(201);
  await order(auth, c, 10000);
  const { pass } = await applePass(auth, c);
  expect(keepField(pass)).toBeUndefined();
  expect(keepModule(await googleObject(auth, c))).toBeUndefined();
});
