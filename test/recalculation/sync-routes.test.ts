/** POST /v1/sync and GET /v1/jobs/:jobId through the real app. */
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { createProgram, type Harness, startHarness, uid } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function waitForJob(auth: { Authorization: string }, jobId: string) {
  for (let i = 0; i < 100; i++) {
    const res = await request(h.app).get(`/v1/jobs/${jobId}`).set(auth);
    expect(res.status).toBe(200);
    if (res.body.state === 'done' || res.body.state === 'failed') return res.body;
    await sleep(50);
  }
  throw new Error(`job ${jobId} did not finish`);
}

it('starts a full sync in the background and reports its progress to the end', async () => {
  const { auth } = await createProgram(h);
  const customers = [uid('c'), uid('c'), uid('c')];
  for (const id of customers)
    expect((await request(h.app).put(`/v1/customers/${id}`).set(auth).send({})).status).toBe(201);
  // A tier created after the customers: only a sync places them.
  const tier = await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Member' });
  expect(tier.status).toBe(201);

  const started = await request(h.app).post('/v1/sync').set(auth);
  expect(started.status).toBe(202);
  expect(started.body).toEqual({ jobId: expect.stringMatching(/^run_/) });

  const job = await waitForJob(auth, started.body.jobId);
  expect(job).toEqual({
    id: started.body.jobId,
    kind: 'sync',
    state: 'done',
    processed: 3,
    total: 3,
    asOf: expect.any(String),
    createdAt: expect.any(String),
    finishedAt: expect.any(String),
  });
  for (const id of customers) {
    const customer = await request(h.app).get(`/v1/customers/${id}`).set(auth);
    expect(customer.body.tier).toMatchObject({ id: tier.body.id, title: 'Member' });
    const history = await request(h.app).get(`/v1/customers/${id}/tier-history`).set(auth);
    expect(history.body.data).toEqual([
      expect.objectContaining({ toTierId: tier.body.id, reason: 'resync' }),
    ]);
  }
});

it('answers 404 job_not_found for an unknown job and for another program’s job', async () => {
  const mine = await createProgram(h);
  const other = await createProgram(h);
  const missing = await request(h.app).get('/v1/jobs/run_nope').set(mine.auth);
  expect(missing.status).toBe(404);
  expect(missing.body.error.code).toBe('job_not_found');

  const started = await request(h.app).post('/v1/sync').set(other.auth);
  await waitForJob(other.auth, started.body.jobId);
  const foreign = await request(h.app).get(`/v1/jobs/${started.body.jobId}`).set(mine.auth);
  expect(foreign.status).toBe(404);
});
