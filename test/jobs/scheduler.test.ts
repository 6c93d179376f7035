/**
 * The real Agenda scheduler on the application database: a live program's immediate
 * resync is queued as a job and run, and the recurring tick runs a debounced resync that
 * fell due. Both on the PostgreSQL server and on embedded PGlite.
 */
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { type Scheduler, startScheduler } from '../../src/jobs/scheduler.js';
import { openDatabase } from '../../src/store/open-store.js';
import { ADMIN_TOKEN } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe.each([
  ['PostgreSQL server', true],
  ['embedded PGlite', false],
])('scheduler on %s', (_name, server) => {
  let scheduler: Scheduler | undefined;
  let db: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let app: ReturnType<typeof buildApp>;
  let now = new Date();
  const clock = { now: () => now };

  let temp: Awaited<ReturnType<typeof createTempDatabase>> | undefined;

  beforeAll(async () => {
    // Its own database: the tick walks every live program, and must not touch other test files'.
    temp = server ? await createTempDatabase() : undefined;
    db = await openDatabase({ databaseUrl: temp?.url, dataDir: 'memory://' });
    const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });
    app = buildApp({ store: db.store, clock, logger, adminToken: ADMIN_TOKEN });
    scheduler = await startScheduler(
      db.agendaPool,
      { store: db.store, scheduling: app.services.scheduling, clock, logger },
      { processEveryMs: 100, tickEveryMs: 1000, lockLifetimeMs: 2000, name: 'test' },
    );
    app.attachScheduler(scheduler);
    // Generous: an in-memory PGlite runs initdb in WebAssembly here, tens of seconds on a busy
    // 2-core machine (it overran 30 s in a full run).
  }, 180_000);
  // Tolerates a beforeAll that failed half-way.
  afterAll(async () => {
    await scheduler?.stop();
    await db?.store.close();
    await temp?.drop();
  }, 60_000);

  it('queues and runs the reassignment when a live tier is disabled, and the tick runs a due resync', async () => {
    now = new Date();
    const created = await request(app.app)
      .post('/v1/programs')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ name: 'Live', retention: { mode: 'lifetime' } });
    const auth = { Authorization: `Bearer ${created.body.apiKey}` };
    const tier = async (body: object) =>
      (await request(app.app).post('/v1/tiers').set(auth).send(body)).body.id as string;
    const bronze = await tier({ title: 'Bronze' });
    const silver = await tier({
      title: 'Silver',
      qualifications: [{ type: 'lifetimeSpend', minAmount: 100 }],
    });
    await request(app.app).put('/v1/customers/c').set(auth).send({}).expect(201);
    await request(app.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: 'o', customerId: 'c', amount: 500 })
      .expect(201);
    const titleOf = async () => (await request(app.app).get('/v1/customers/c').set(auth)).body.tier?.title;
    expect(await titleOf()).toBe('Silver');

    await request(app.app).patch(`/v1/tiers/${silver}`).set(auth).send({ enabled: false }).expect(200);
    expect(await until(async () => (await titleOf()) === 'Bronze', 10_000)).toBe(true);
    const history = await request(app.app).get('/v1/customers/c/tier-history').set(auth);
    expect(history.body.data[0]).toMatchObject({ reason: 'tier_disabled', toTierId: bronze });

    // Re-enabling is immediate: the customer qualifies for Silver again.
    await request(app.app).patch(`/v1/tiers/${silver}`).set(auth).send({ enabled: true }).expect(200);
    expect(await until(async () => (await titleOf()) === 'Silver', 10_000)).toBe(true);
    // Let that resync finish before the next change (a debounced change arriving while an
    // immediate resync is still due runs with it, at once).
    const programScope = db!.store.scoped(created.body.program.id);
    expect(
      await until(async () => (await programScope.program.schedule()).resyncDueAt === null, 10_000),
    ).toBe(true);
    // A new order makes Bronze the top tier; the resync waits for the 5-minute debounce…
    await request(app.app)
      .put('/v1/tiers/order')
      .set(auth)
      .send({ tierIds: [silver, bronze] })
      .expect(200);
    await new Promise((r) => setTimeout(r, 1500)); // more than one tick
    expect(await titleOf()).toBe('Silver');
    // …and the tick runs it once the debounce has passed.
    now = new Date(now.getTime() + 6 * 60 * 1000);
    expect(await until(async () => (await titleOf()) === 'Bronze', 10_000)).toBe(true);
    const after = await request(app.app).get('/v1/customers/c/tier-history').set(auth);
    expect(after.body.data[0]).toMatchObject({ reason: 'resync', toTierId: bronze });
    const ready = await request(app.app).get('/readyz');
    expect(ready.body.checks).toEqual({ database: 'ok', scheduler: 'ok' });
  });
});
