/**
 * Downgrade warnings through the real app and PostgreSQL: the setting on /v1/program, and a test
 * program rehearsing a cycle whose boundary downgrades a customer (JeriCommerce carry points).
 */
import pg from 'pg';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { testDatabaseUrl } from '../support/db.js';
import { ADMIN_TOKEN, createProgram, fixedClock, type Harness, startHarness } from '../support/harness.js';

let h: Harness;
let db: pg.Client;
beforeAll(async () => {
  h = await startHarness();
  db = new pg.Client({ connectionString: testDatabaseUrl() });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await h.close();
});

type Auth = { Authorization: string };

describe('the downgradeWarningDays setting', () => {
  it('defaults to 7, is set at creation and by PATCH, and 0 or null switches warnings off', async () => {
    const { auth } = await createProgram(h);
    expect((await request(h.app).get('/v1/program').set(auth)).body.downgradeWarningDays).toBe(7);
    const set = await request(h.app).patch('/v1/program').set(auth).send({ downgradeWarningDays: 14 });
    expect(set.status).toBe(200);
    expect(set.body.downgradeWarningDays).toBe(14);
    // Other changes keep it.
    const other = await request(h.app).patch('/v1/program').set(auth).send({ timezone: 'Europe/Paris' });
    expect(other.body.downgradeWarningDays).toBe(14);
    expect(
      (await request(h.app).patch('/v1/program').set(auth).send({ downgradeWarningDays: 0 })).body,
    ).toMatchObject({ downgradeWarningDays: 0 });
    await request(h.app).patch('/v1/program').set(auth).send({ downgradeWarningDays: 3 }).expect(200);
    expect(
      (await request(h.app).patch('/v1/program').set(auth).send({ downgradeWarningDays: null })).body,
    ).toMatchObject({ downgradeWarningDays: 0 });
    const created = await createProgram(h, { downgradeWarningDays: 30 });
    expect((await request(h.app).get('/v1/program').set(created.auth)).body.downgradeWarningDays).toBe(30);
  });

  it.each([[-1], [1.5], [367], ['7'], [true]])(
    'refuses %j with 400 validation_failed naming the field, changing nothing',
    async (value) => {
      const { auth } = await createProgram(h, { downgradeWarningDays: 10 });
      const res = await request(h.app)
        .patch('/v1/program')
        .set(auth)
        .send({ downgradeWarningDays: value, tiersEnabled: false });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([
        'body.downgradeWarningDays',
      ]);
      expect((await request(h.app).get('/v1/program').set(auth)).body).toMatchObject({
        downgradeWarningDays: 10,
        tiersEnabled: true,
      });
    },
  );

  it('is documented in the OpenAPI document', async () => {
    const doc = (await request(h.app).get('/openapi.json')).body;
    const text = JSON.stringify(doc);
    expect(text).toContain('downgradeWarningDays');
  });
});

async function advance(auth: Auth, to: string) {
  const res = await request(h.app).post('/v1/test-clock/advance').set(auth).send({ to });
  expect(res.status).toBe(200);
  return (res.body.ran as { kind: string; at: string; state: string }[]).map((r) => [r.kind, r.at, r.state]);
}

async function order(auth: Auth, id: string, customerId: string, amount: number): Promise<void> {
  await request(h.app).post('/v1/orders').set(auth).send({ id, customerId, amount }).expect(201);
}

async function tierOf(auth: Auth, id: string): Promise<string | null> {
  return (await request(h.app).get(`/v1/customers/${id}`).set(auth)).body.tier?.title ?? null;
}

interface StoredWarning {
  customerId: string;
  occurredAt: Date;
  data: {
    tier: { title: string };
    downgradeTo: { title: string } | null;
    boundaryAt: string;
    keep: { headline: string; missing: { type: string; missing: number; label: string }[] };
    balances: { carry: number };
  };
}

/** The program's stored tier.downgrade_warning events, oldest first. */
async function warnings(programId: string): Promise<StoredWarning[]> {
  const { rows } = await db.query<StoredWarning>(
    `SELECT customer_id AS "customerId", occurred_at AS "occurredAt", data FROM webhook_events
     WHERE program_id = $1 AND type = 'tier.downgrade_warning' ORDER BY occurred_at, customer_id`,
    [programId],
  );
  return rows;
}

/** A subscription to the warnings (events are stored only for a subscription that wants them). */
async function subscribe(programId: string): Promise<void> {
  await db.query(
    `INSERT INTO webhook_subscriptions (program_id, id, url, events, format, secret, state, created_at, updated_at)
     VALUES ($1, 'sub_warn', 'http://127.0.0.1:9/hook', ARRAY['tier.downgrade_warning'], 'standard', 's', 'enabled', now(), now())`,
    [programId],
  );
}

it('warns 7 days before a boundary that would downgrade, once, with what keeps the tier; the boundary does as predicted', async () => {
  const { auth, programId } = await createProgram(h, {
    mode: 'test',
    clockStart: '2025-01-01T00:00:00Z',
    timezone: 'UTC',
    earning: { pointsPerUnit: 10 },
    retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' } },
  });
  await subscribe(programId);
  await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Bronze' }).expect(201);
  await request(h.app)
    .post('/v1/tiers')
    .set(auth)
    .send({ title: 'Gold', qualifications: [{ type: 'carryPoints', minPoints: 2000 }] })
    .expect(201);
  const ids = ['keeper', 'lapsing', 'rescued', 'almost'];
  for (const id of ids) await request(h.app).put(`/v1/customers/${id}`).set(auth).send({}).expect(201);

  // Cycle 1: everyone earns 2,500 carry and reaches Gold; the first warning run finds nobody short.
  await advance(auth, '2025-02-01T00:00:00Z');
  for (const id of ids) await order(auth, `${id}-1`, id, 25_000);
  expect(await advance(auth, '2025-04-01T00:00:00Z')).toEqual([
    ['warning', '2025-03-25T00:00:00.000Z', 'done'],
    ['cycle', '2025-04-01T00:00:00.000Z', 'done'],
  ]);
  expect(await warnings(programId)).toEqual([]);
  for (const id of ids) expect(await tierOf(auth, id)).toBe('Gold');

  // Cycle 2: only the keeper earns enough; the others have 1,250 carry a week before the boundary.
  await advance(auth, '2025-05-01T00:00:00Z');
  await order(auth, 'keeper-2', 'keeper', 21_000);
  for (const id of ['lapsing', 'rescued', 'almost']) await order(auth, `${id}-2`, id, 12_500);
  expect(await advance(auth, '2025-06-23T23:59:59Z')).toEqual([]);
  expect(await advance(auth, '2025-06-24T00:00:00Z')).toEqual([
    ['warning', '2025-06-24T00:00:00.000Z', 'done'],
  ]);
  const sent = await warnings(programId);
  expect(sent.map((w) => w.customerId)).toEqual(['almost', 'lapsing', 'rescued']);
  for (const w of sent) {
    expect(w.occurredAt).toEqual(new Date('2025-06-24T00:00:00Z'));
    expect(w.data).toMatchObject({
      tier: { title: 'Gold' },
      downgradeTo: { title: 'Bronze' },
      boundaryAt: '2025-07-01T00:00:00.000Z',
      keep: {
        headline: '750 points this cycle to keep Gold',
        missing: [{ type: 'carryPoints', missing: 750, label: '750 points this cycle' }],
      },
      balances: { carry: 1250 },
    });
  }

  // Advancing again (and again) before the boundary warns nobody twice.
  expect(await advance(auth, '2025-06-28T00:00:00Z')).toEqual([]);
  // What the warning said is exactly enough: 750 points keep Gold, 740 do not.
  await order(auth, 'rescued-3', 'rescued', 7_500);
  await order(auth, 'almost-3', 'almost', 7_400);
  expect(await advance(auth, '2025-07-01T00:00:00Z')).toEqual([
    ['cycle', '2025-07-01T00:00:00.000Z', 'done'],
  ]);
  expect(await warnings(programId)).toHaveLength(3);

  expect(await tierOf(auth, 'keeper')).toBe('Gold');
  expect(await tierOf(auth, 'rescued')).toBe('Gold');
  expect(await tierOf(auth, 'lapsing')).toBe('Bronze');
  expect(await tierOf(auth, 'almost')).toBe('Bronze');
  const history = (await request(h.app).get('/v1/customers/lapsing/tier-history').set(auth)).body.data;
  expect(history[0]).toMatchObject({ direction: 'down', reason: 'cycle', at: '2025-07-01T00:00:00.000Z' });
});

it('sends no warning run with warnings off, and follows a changed lead time', async () => {
  const { auth } = await createProgram(h, {
    mode: 'test',
    clockStart: '2025-01-01T00:00:00Z',
    timezone: 'UTC',
    retention: { mode: 'cycle', cycle: { every: 'P1M', anchor: '2025-01-01' } },
    downgradeWarningDays: 0,
  });
  expect((await advance(auth, '2025-02-01T00:00:00Z')).map(([kind]) => kind)).toEqual(['cycle']);
  await request(h.app).patch('/v1/program').set(auth).send({ downgradeWarningDays: 3 }).expect(200);
  expect(await advance(auth, '2025-03-01T00:00:00Z')).toEqual([
    ['warning', '2025-02-26T00:00:00.000Z', 'done'],
    ['cycle', '2025-03-01T00:00:00.000Z', 'done'],
  ]);
});

it('a live program: the scheduler tick path (runDue up to the service clock) warns the same way, once', async () => {
  const clock = fixedClock(new Date('2025-06-20T12:00:00Z'));
  const live = buildApp({
    store: h.store,
    clock,
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
  });
  const created = await request(live.app)
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({
      name: 'Live',
      timezone: 'UTC',
      earning: { pointsPerUnit: 10 },
      retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' } },
    })
    .expect(201);
  const auth = { Authorization: `Bearer ${created.body.apiKey}` };
  const programId: string = created.body.program.id;
  await subscribe(programId);
  await request(live.app).post('/v1/tiers').set(auth).send({ title: 'Bronze' }).expect(201);
  // Entered by spend, kept by 2,000 points a cycle.
  await request(live.app)
    .post('/v1/tiers')
    .set(auth)
    .send({
      title: 'Gold',
      qualifications: [{ type: 'lifetimeSpend', minAmount: 10_000 }],
      maintain: [{ type: 'carryPoints', minPoints: 2000 }],
    })
    .expect(201);
  await request(live.app).put('/v1/customers/lv').set(auth).send({}).expect(201);
  await request(live.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: 'lv-1', customerId: 'lv', amount: 10_000 })
    .expect(201);
  const program = () => h.store.scoped(programId).program.get();
  const kinds = (ran: { kind: string; at: string }[]) => ran.map((r) => [r.kind, r.at]);
  // The resync asked for by creating the tiers comes due 5 minutes later; nothing else yet.
  clock.set(new Date('2025-06-23T00:00:00Z'));
  expect(kinds(await live.services.scheduling.runDue(await program(), clock.now()))).toEqual([
    ['resync', '2025-06-20T12:05:00.000Z'],
  ]);
  clock.set(new Date('2025-06-24T00:00:30Z'));
  expect(kinds(await live.services.scheduling.runDue(await program(), clock.now()))).toEqual([
    ['warning', '2025-06-24T00:00:00.000Z'],
  ]);
  clock.set(new Date('2025-06-24T00:01:30Z'));
  expect(await live.services.scheduling.runDue(await program(), clock.now())).toEqual([]);
  const sent = await warnings(programId);
  expect(sent).toHaveLength(1);
  expect(sent[0]?.data.keep.headline).toBe('1,000 points this cycle to keep Gold');
});
