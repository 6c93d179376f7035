/**
 * Without the on-commit kick, the Agenda job `tierpass:webhooks` (every WEBHOOKS_EVERY_MS)
 * delivers what was queued: the production safety net, on the real scheduler.
 */
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { type Scheduler, startScheduler } from '../../src/jobs/scheduler.js';
import { WEBHOOKS_EVERY_MS } from '../../src/jobs/schedules.js';
import { openDatabase } from '../../src/store/open-store.js';
import { ADMIN_TOKEN } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { type Receiver, startReceiver } from './receiver.js';
import { LOOPBACK_ONLY } from './webhook-harness.js';

let temp: Awaited<ReturnType<typeof createTempDatabase>>;
let db: Awaited<ReturnType<typeof openDatabase>>;
let app: ReturnType<typeof buildApp>;
let scheduler: Scheduler;
let receiver: Receiver;

beforeAll(async () => {
  temp = await createTempDatabase();
  db = await openDatabase({ databaseUrl: temp.url, dataDir: 'memory://' });
  const logger = pino({ level: 'silent' });
  const clock = { now: () => new Date() };
  app = buildApp({
    store: db.store,
    clock,
    logger,
    adminToken: ADMIN_TOKEN,
    webhooks: { policy: LOOPBACK_ONLY },
  });
  receiver = await startReceiver();
  scheduler = await startScheduler(
    db.agendaPool,
    {
      store: db.store,
      scheduling: app.services.scheduling,
      clock,
      logger,
      webhooks: app.services.webhookDispatcher,
    },
    { processEveryMs: 200, tickEveryMs: 60_000, lockLifetimeMs: 5000, name: 'webhooks-test' },
  );
});
afterAll(async () => {
  await scheduler.stop();
  app.services.webhookSender.close();
  await receiver.close();
  await db.store.close();
  await temp.drop();
});

it('delivers queued events from the scheduled job', async () => {
  const created = await request(app.app)
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({ name: 'Scheduled', currency: 'USD' })
    .expect(201);
  const auth = { Authorization: `Bearer ${created.body.apiKey}` };
  await request(app.app).post('/v1/tiers').set(auth).send({ title: 'Member' }).expect(201);
  await request(app.app)
    .post('/v1/webhooks')
    .set(auth)
    .send({ url: receiver.url, events: ['tier.upgraded'] })
    .expect(201);
  await request(app.app).put('/v1/customers/sched').set(auth).send({}).expect(201);
  const deadline = Date.now() + WEBHOOKS_EVERY_MS + 5000;
  while (receiver.requests.length === 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  expect(receiver.requests.map((r) => [r.body.type, (r.body.data.customer as { id: string }).id])).toEqual([
    ['tier.upgraded', 'sched'],
  ]);
}, 30_000);
