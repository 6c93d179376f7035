/**
 * Rate limits through the real app (0021): failed admin-token and API-key checks per client,
 * expensive operations per program and per client. Clients are told apart by X-Forwarded-For
 * (TRUST_PROXY on), so one test process plays several clients.
 */
import request from 'supertest';
import { ADMIN_TOKEN, createProgram, type Harness, startHarness } from '../support/harness.js';

const FAILURES = 5;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    trustProxy: true,
    rateLimits: { authFailures: FAILURES, expensivePerProgram: 3, expensivePerClient: 5 },
  });
});
afterAll(() => h.close());

let clientSeq = 0;
/** A fresh client address (documentation range, never reused by another test). */
function newClient(): string {
  clientSeq += 1;
  return `198.51.100.${clientSeq}`;
}

function expectRateLimited(res: request.Response): void {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('rate_limited');
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
}

describe('failed credential checks', () => {
  it('answers 429 after too many wrong admin tokens, for that client only', async () => {
    const attacker = newClient();
    const merchant = newClient();
    const asAdmin = (client: string, token: string) =>
      request(h.app)
        .post('/v1/programs')
        .set('X-Forwarded-For', client)
        .set('Authorization', `Bearer ${token}`)
        .send({ name: 'Shop', currency: 'USD' });
    for (let i = 0; i < FAILURES; i++) expect((await asAdmin(attacker, `wrong-${i}`)).status).toBe(401);
    expectRateLimited(await asAdmin(attacker, 'wrong-again'));
    // Blocked for the window: even the right token from this client.
    expectRateLimited(await asAdmin(attacker, ADMIN_TOKEN));
    expect((await asAdmin(merchant, ADMIN_TOKEN)).status).toBe(201);
  });

  it('answers 429 after too many wrong API keys; the real key works from another client', async () => {
    const { auth } = await createProgram(h);
    const attacker = newClient();
    const get = (client: string, authorization: string) =>
      request(h.app).get('/v1/program').set('X-Forwarded-For', client).set('Authorization', authorization);
    for (let i = 0; i < FAILURES; i++) {
      expect((await get(attacker, `Bearer tp_live_guess${i}`)).status).toBe(401);
    }
    expectRateLimited(await get(attacker, 'Bearer tp_live_guess'));
    expectRateLimited(await get(attacker, auth.Authorization));
    expect((await get(newClient(), auth.Authorization)).status).toBe(200);
    // A missing header is a failed check too.
    const other = newClient();
    for (let i = 0; i < FAILURES; i++) {
      expect((await request(h.app).get('/v1/program').set('X-Forwarded-For', other)).status).toBe(401);
    }
    expectRateLimited(await request(h.app).get('/v1/program').set('X-Forwarded-For', other));
  });

  it('never counts successful checks', async () => {
    const { auth } = await createProgram(h);
    const client = newClient();
    for (let i = 0; i < 10 * FAILURES; i++) {
      const res = await request(h.app).get('/v1/program').set('X-Forwarded-For', client).set(auth);
      expect(res.status).toBe(200);
    }
    // Failures of one kind leave the other kinds alone.
    for (let i = 0; i < FAILURES + 1; i++) {
      await request(h.app).get('/v1/program').set('X-Forwarded-For', client).set('Authorization', 'Bearer x');
    }
    const admin = await request(h.app)
      .post('/v1/programs')
      .set('X-Forwarded-For', client)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ name: 'Shop', currency: 'USD' });
    expect(admin.status).toBe(201);
  });

  it('documents 429 in the OpenAPI document', async () => {
    const doc = (await request(h.app).get('/openapi.json')).body;
    expect(doc.paths['/v1/program'].get.responses['429']).toBeDefined();
    expect(doc.paths['/v1/simulations'].post.responses['429']).toBeDefined();
  });
});

describe('expensive operations', () => {
  const simulate = (client: string, auth: { Authorization: string }) =>
    request(h.app)
      .post('/v1/simulations')
      .set('X-Forwarded-For', client)
      .set(auth)
      .send({ tiers: [{ title: 'Member' }] });

  it('limits each program, whichever client calls', async () => {
    const busy = await createProgram(h);
    const quiet = await createProgram(h);
    for (let i = 0; i < 3; i++) expect((await simulate(newClient(), busy.auth)).status).toBe(200);
    expectRateLimited(await simulate(newClient(), busy.auth));
    // Another program, and another operation of the same program, have their own budgets.
    expect((await simulate(newClient(), quiet.auth)).status).toBe(200);
    const sync = await request(h.app).post('/v1/sync').set('X-Forwarded-For', newClient()).set(busy.auth);
    expect(sync.status).toBe(202);
  });

  it('limits each client, whichever program it uses', async () => {
    const client = newClient();
    const programs = [await createProgram(h), await createProgram(h), await createProgram(h)];
    for (let i = 0; i < 5; i++) {
      expect(
        (await simulate(client, (programs[i % 3] as { auth: { Authorization: string } }).auth)).status,
      ).toBe(200);
    }
    expectRateLimited(await simulate(client, (programs[2] as { auth: { Authorization: string } }).auth));
    expect(
      (await simulate(newClient(), (programs[2] as { auth: { Authorization: string } }).auth)).status,
    ).toBe(200);
  });

  it('counts only callers that authenticated', async () => {
    const client = newClient();
    for (let i = 0; i < 5; i++) {
      expect((await simulate(client, { Authorization: 'Bearer nope' })).status).toBe(401);
    }
    const { auth } = await createProgram(h);
    expect((await simulate(client, auth)).status).toBe(200);
  });
});
