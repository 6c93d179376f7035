/** The authenticated program is cached briefly; a settings change must still apply at once. */
import request from 'supertest';
import { createProgram, type Harness, startHarness, uid } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

it('an order right after PATCH /v1/program earns at the new rate', async () => {
  const { auth } = await createProgram(h, { earning: { pointsPerUnit: 1 } });
  const c = uid('cust');
  await request(h.app).put(`/v1/customers/${c}`).set(auth).send({}).expect(201);
  const first = await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: uid('o'), customerId: c, amount: 10000 });
  expect(first.status).toBe(201);
  expect(first.body.entries[0].points).toBe(100);

  await request(h.app)
    .patch('/v1/program')
    .set(auth)
    .send({ earning: { pointsPerUnit: 3 } })
    .expect(200);
  const second = await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: uid('o'), customerId: c, amount: 10000 });
  expect(second.status).toBe(201);
  expect(second.body.entries[0].points).toBe(300);
  expect((await request(h.app).get('/v1/program').set(auth)).body.earning).toEqual({ pointsPerUnit: 3 });
});
