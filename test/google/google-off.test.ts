/** Google Wallet not configured: a clear 503 with a stable code, and nothing written or queued. */
import request from 'supertest';
import { createProgram, type Harness, startHarness, uid } from '../support/harness.js';
import { googleRowsOf } from './google-sql.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

it('answers 503 google_wallet_not_configured and writes nothing', async () => {
  const { auth, programId } = await createProgram(h);
  await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Member' }).expect(201);
  const c = uid('cust');
  await request(h.app).put(`/v1/customers/${c}`).set(auth).send({}).expect(201);
  const res = await request(h.app).get(`/v1/customers/${c}/passes/google`).set(auth);
  expect(res.status).toBe(503);
  expect(res.body.error).toEqual({
    code: 'google_wallet_not_configured',
    message: expect.stringContaining('GOOGLE_WALLET_ISSUER_ID'),
  });
  expect(await h.store.scoped(programId).googleWallet.object(c)).toBeNull();
  // Without an object, changes queue no Google update either.
  await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: uid('o'), customerId: c, amount: 1000 })
    .expect(201);
  expect(await googleRowsOf(programId, c)).toBe(0);
  // The endpoint is documented either way.
  const doc = await request(h.app).get('/openapi.json');
  expect(doc.body.paths['/v1/customers/{customerId}/passes/google'].get.responses).toHaveProperty('503');
});

it('still needs an API key', async () => {
  const res = await request(h.app).get('/v1/customers/x/passes/google');
  expect(res.status).toBe(401);
});
