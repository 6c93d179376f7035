/**
 * Issue 10 item 1: PostgreSQL backends of the service terminated (pg_terminate_backend) in the
 * middle of transactions, under concurrent order traffic. The process survives (an unhandled
 * 'error' event would kill this jest worker), every request is answered 201 or a clean 503, no
 * acknowledged order is lost, nothing is applied twice, and the service serves again at once.
 */
import pg from 'pg';
import request from 'supertest';
import { openStore } from '../../src/store/open-store.js';
import { testDatabaseUrl } from '../support/db.js';
import { createProgram, type Harness, startHarness, uid } from '../support/harness.js';
import { expectLedgerExact, orderLoad, resendUnavailable } from '../support/order-load.js';

const APP_NAME = `tierpass-kill-${process.pid}`;
let h: Harness;
let admin: pg.Client;

beforeAll(async () => {
  const store = await openStore({
    databaseUrl: testDatabaseUrl(),
    dataDir: 'memory://',
    applicationName: APP_NAME,
  });
  h = await startHarness({ store });
  admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
}, 60_000);
afterAll(async () => {
  await admin?.end();
  await h?.close();
}, 60_000);

/** Terminate the service's backends that are inside a transaction; returns how many. */
async function terminateInTransaction(): Promise<number> {
  const { rows } = await admin.query<{ ok: boolean }>(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
     WHERE application_name = $1 AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`,
    [APP_NAME],
  );
  return rows.filter((r) => r.ok).length;
}

/** Terminate every backend of the service, idle ones included. */
async function terminateAll(): Promise<number> {
  const { rows } = await admin.query<{ ok: boolean }>(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1`,
    [APP_NAME],
  );
  return rows.filter((r) => r.ok).length;
}

it('survives backends terminated mid-transaction under load; acknowledged orders are all kept', async () => {
  const { auth, programId } = await createProgram(h);
  const customers = Array.from({ length: 12 }, () => uid('kill'));
  for (const c of customers) await request(h.app).put(`/v1/customers/${c}`).set(auth).send({}).expect(201);

  let stop = false;
  const load = orderLoad(h.app, auth, customers, { clients: 8, prefix: uid('ko'), stop: () => stop });
  // Keep terminating until a good number of transactions were hit, then once more everything.
  let midTransaction = 0;
  for (let round = 0; round < 400 && midTransaction < 12; round++) {
    midTransaction += await terminateInTransaction();
    await new Promise((r) => setTimeout(r, 25));
  }
  const all = await terminateAll();
  await new Promise((r) => setTimeout(r, 300));
  stop = true;
  const sent = await load;

  expect(midTransaction).toBeGreaterThanOrEqual(12);
  expect(all).toBeGreaterThanOrEqual(0);
  const statuses = new Set(sent.map((s) => s.status));
  expect([...statuses].filter((s) => s !== 201 && s !== 503)).toEqual([]);
  for (const s of sent.filter((o) => o.status === 503)) {
    expect([s.code, s.retryAfter]).toEqual(['database_unavailable', '2']);
  }
  expect(sent.filter((s) => s.status === 201).length).toBeGreaterThan(0);

  // A client sends its 503s again: each lands exactly once (a replay answers 201 too).
  expect(new Set(await resendUnavailable(h.app, auth, sent))).toEqual(
    sent.some((s) => s.status === 503) ? new Set([201]) : new Set(),
  );
  await expectLedgerExact(h.store, programId, sent, customers);

  // Serving again without a restart.
  await request(h.app).get('/readyz').expect(200);
  await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: uid('after'), customerId: customers[0], amount: 100 })
    .expect(201);
}, 180_000);

it('survives every idle pooled connection being terminated between requests', async () => {
  const { auth } = await createProgram(h);
  const c = uid('idle');
  await request(h.app).put(`/v1/customers/${c}`).set(auth).send({}).expect(201);
  expect(await terminateAll()).toBeGreaterThan(0);
  // The pool drops the dead clients when they report the termination; a request that still
  // draws one gets a clean 503, and the next ones are served on new connections.
  const first = await request(h.app).get(`/v1/customers/${c}`).set(auth);
  expect([200, 503]).toContain(first.status);
  let served = 0;
  for (let i = 0; i < 20 && served < 3; i++) {
    const res = await request(h.app).get(`/v1/customers/${c}`).set(auth);
    if (res.status === 200) served++;
    else expect(res.body.error.code).toBe('database_unavailable');
  }
  expect(served).toBe(3);
}, 60_000);
