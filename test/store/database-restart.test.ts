/**
 * Issue 10 item 1: the database server "restarts" under order traffic. A TCP proxy between the
 * service and PostgreSQL resets every connection and refuses new ones for a few seconds, then
 * accepts again — what clients see during a server restart — while the shared PostgreSQL server
 * itself is left alone. The process survives, every request is answered 201 or a clean 503,
 * /readyz says 503 during the outage and 200 after, acknowledged orders are all kept, and the
 * service and its scheduler (Agenda polling, the tick) work again without a restart.
 */
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { type Scheduler, startScheduler } from '../../src/jobs/scheduler.js';
import { openDatabase } from '../../src/store/open-store.js';
import { ADMIN_TOKEN, createProgram, uid } from '../support/harness.js';
import { expectLedgerExact, orderLoad, resendUnavailable } from '../support/order-load.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { createTempDatabase } from '../support/temp-db.js';

let temp: Awaited<ReturnType<typeof createTempDatabase>>;
let proxy: TcpProxy;
let db: Awaited<ReturnType<typeof openDatabase>>;
let built: ReturnType<typeof buildApp>;
let scheduler: Scheduler;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

beforeAll(async () => {
  // Its own database: the scheduler's tick walks every live program.
  temp = await createTempDatabase();
  proxy = await startTcpProxy(temp.url);
  db = await openDatabase({ databaseUrl: proxy.url(temp.url), dataDir: 'memory://' });
  const clock = { now: () => new Date() };
  const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });
  built = buildApp({ store: db.store, clock, logger, adminToken: ADMIN_TOKEN });
  scheduler = await startScheduler(
    db.agendaPool,
    { store: db.store, scheduling: built.services.scheduling, clock, logger },
    { processEveryMs: 100, tickEveryMs: 1000, lockLifetimeMs: 2000, name: 'restart-test' },
  );
  built.attachScheduler(scheduler);
}, 60_000);
afterAll(async () => {
  await proxy?.restore();
  await scheduler?.stop();
  await db?.store.close();
  await proxy?.close();
  await temp?.drop();
}, 60_000);

it('answers 201 or a clean 503 through a server restart, keeps every acknowledged order and serves again', async () => {
  const h = { app: built.app };
  const { auth, programId } = await createProgram(h as Parameters<typeof createProgram>[0]);
  const customers = Array.from({ length: 10 }, () => uid('rs'));
  for (const c of customers) await request(h.app).put(`/v1/customers/${c}`).set(auth).send({}).expect(201);
  await request(h.app).get('/readyz').expect(200);

  let stop = false;
  const load = orderLoad(h.app, auth, customers, { clients: 6, prefix: uid('ro'), stop: () => stop });
  await sleep(500);
  await proxy.cut();
  // Down for a few seconds: readiness reports it, requests fail fast.
  const down = await request(h.app).get('/readyz');
  await sleep(2_000);
  const stillDown = await request(h.app).get('/readyz');
  const restoredAt = new Date();
  await proxy.restore();
  expect(await until(async () => (await request(h.app).get('/readyz')).status === 200, 30_000)).toBe(true);
  await sleep(500);
  stop = true;
  const sent = await load;

  expect(down.status).toBe(503);
  expect(down.body.checks.database).not.toBe('ok');
  expect(stillDown.status).toBe(503);
  expect([...new Set(sent.map((s) => s.status))].filter((s) => s !== 201 && s !== 503)).toEqual([]);
  const unavailable = sent.filter((s) => s.status === 503);
  expect(unavailable.length).toBeGreaterThan(0);
  for (const s of unavailable) expect([s.code, s.retryAfter]).toEqual(['database_unavailable', '2']);

  expect(new Set(await resendUnavailable(h.app, auth, sent))).toEqual(new Set([201]));
  await expectLedgerExact(db.store, programId, sent, customers);
  await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: uid('after'), customerId: customers[0], amount: 100 })
    .expect(201);

  // The scheduler kept polling through the outage: its tick runs again afterwards.
  const ticked = await until(async () => {
    const schedule = await db.store.scoped(programId).program.schedule();
    return schedule.checkedAt.getTime() > restoredAt.getTime();
  }, 30_000);
  expect(ticked).toBe(true);
}, 180_000);
