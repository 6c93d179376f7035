/**
 * "Sync all profiles" end to end (docs/decisions/0052): the real app on its own PostgreSQL
 * database and a Klaviyo stand-in that validates every Bulk Import Profiles body against
 * Klaviyo's published schema (`ProfileImportJobCreateQuery`) and refuses jobs over 10,000
 * profiles or 5 MB. A first connection pushes every existing customer's profile in jobs; erased
 * customers are skipped; progress is in GET /v1/integrations/klaviyo/sync; a 429 waits for
 * Retry-After; a restarted process resumes after the last accepted customer, sending nobody twice.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { SecretBox, type SecretKey } from '../../src/integrations/secrets/secret-box.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import { ADMIN_TOKEN, createProgram, createTier } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { type KlaviyoStandIn, startKlaviyoStandIn } from './klaviyo-stand-in.js';
import { validateBulkImport } from './openapi-schema.js';

let db: Awaited<ReturnType<typeof createTempDatabase>>;
let store: Store;
let sql: pg.Client;
let klaviyo: KlaviyoStandIn;
const key: SecretKey = { id: 't1', key: randomBytes(32) };
const apps: ReturnType<typeof buildApp>[] = [];

/** The app as a process builds it at start (same database and keyring). */
function start(opts: { syncJobBytes?: number } = {}) {
  const built = buildApp({
    store,
    clock: { now: () => new Date() },
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    secrets: new SecretBox([key]),
    klaviyo: { origin: klaviyo.origin, retryBaseMs: 50, syncJobProfiles: 3, ...opts },
    rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
  });
  apps.push(built);
  return built;
}

let built: ReturnType<typeof buildApp>;

beforeAll(async () => {
  db = await createTempDatabase();
  store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  klaviyo = await startKlaviyoStandIn();
  built = start();
}, 120_000);

afterAll(async () => {
  for (const a of apps) {
    a.services.klaviyoSync.close();
    await a.services.klaviyoSync.idle();
    await a.services.outbox.close();
  }
  await klaviyo.close();
  await sql.end();
  await store.close();
  await db.drop();
}, 120_000);

const app = () => built.app;
type Auth = { Authorization: string };

/** A lifetime program, Bronze and Silver at 100.00 spent, with `n` customers (every other one Silver). */
async function programWith(n: number, prefix: string) {
  const { auth, programId } = await createProgram(
    { app: app() },
    { currency: 'USD', retention: { mode: 'lifetime' } },
  );
  await createTier({ app: app() }, auth, { title: 'Bronze' });
  await createTier({ app: app() }, auth, {
    title: 'Silver',
    qualifications: [{ type: 'lifetimeSpend', minAmount: 10_000 }],
  });
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const id = `${prefix}-${String(i).padStart(2, '0')}`;
    ids.push(id);
    await request(app())
      .put(`/v1/customers/${id}`)
      .set(auth)
      .send({ email: `${id}@example.com` })
      .expect(201);
    await request(app())
      .post('/v1/orders')
      .set(auth)
      .send({ id: `o-${id}`, customerId: id, amount: i % 2 === 0 ? 12_000 : 3_000 })
      .expect(201);
  }
  return { auth, programId: programId as string, ids };
}

const bulkRequests = () => klaviyo.requests.filter((r) => r.path === '/api/profile-bulk-import-jobs');
const connect = (auth: Auth) =>
  request(app()).put('/v1/integrations/klaviyo').set(auth).send({ apiKey: klaviyo.apiKey }).expect(200);

it('is described in the OpenAPI document', async () => {
  const doc = (await request(app()).get('/openapi.json').expect(200)).body;
  expect(Object.keys(doc.paths['/v1/integrations/klaviyo/sync']).sort()).toEqual(['get', 'post']);
});

it('refuses without a connection or before any sync, changing nothing', async () => {
  const { auth } = await createProgram({ app: app() }, {});
  const post = await request(app()).post('/v1/integrations/klaviyo/sync').set(auth);
  expect(post.status).toBe(404);
  expect(post.body.error.code).toBe('klaviyo_not_connected');
  const get = await request(app()).get('/v1/integrations/klaviyo/sync').set(auth);
  expect(get.status).toBe(404);
  expect(get.body.error.code).toBe('klaviyo_sync_not_found');
});

it('a first connection pushes every customer’s profile in bulk jobs; erased customers are skipped', async () => {
  const { auth, programId, ids } = await programWith(7, `s1${process.pid}`);
  const erased = ids[3] as string;
  await request(app()).post(`/v1/customers/${erased}/redact`).set(auth).expect(200);
  const before = bulkRequests().length;
  await connect(auth);
  await built.services.klaviyoSync.idle();

  const sync = (await request(app()).get('/v1/integrations/klaviyo/sync').set(auth).expect(200)).body;
  expect(sync).toMatchObject({
    state: 'done',
    total: 7,
    sent: 6,
    skipped: 1,
    jobs: 3,
    progress: 1,
    lastError: null,
  });
  const jobs = bulkRequests().slice(before);
  expect(jobs.map((j) => j.status)).toEqual([202, 202, 202]);
  for (const j of jobs) {
    expect(j.errors).toEqual([]);
    expect(validateBulkImport(j.body)).toEqual([]);
  }
  // Pages of three customers in id order; the erased one is left out of its page.
  expect(klaviyo.bulkJobs.slice(-3).map((j) => j.profiles)).toEqual([
    [ids[0], ids[1], ids[2]],
    [ids[4], ids[5]],
    [ids[6]],
  ]);
  expect(klaviyo.profiles.has(erased)).toBe(false);
  // The properties are those the per-customer profile carries: tier, points, next tier.
  const silver = klaviyo.profiles.get(ids[1] as string);
  expect(silver?.email).toBe(`${ids[1]}@example.com`);
  expect(silver?.properties).toMatchObject({ tierpass_tier: 'Silver', tierpass_points: expect.any(Number) });
  const bronze = klaviyo.profiles.get(ids[0] as string);
  expect(bronze?.properties).toMatchObject({ tierpass_tier: 'Bronze', tierpass_next_tier: 'Silver' });
  // The job is stored per program; a second connect (a key replaced) does not start another.
  await connect(auth);
  await built.services.klaviyoSync.idle();
  expect(bulkRequests().length).toBe(before + 3);
  const row = await sql.query('SELECT state FROM klaviyo_syncs WHERE program_id = $1', [programId]);
  expect(row.rows).toEqual([{ state: 'done' }]);
}, 120_000);

it('waits for Retry-After on 429, answers a replay with the running sync, and resumes after a restart without sending anyone twice', async () => {
  const { auth, programId } = await createProgram({ app: app() }, { retention: { mode: 'lifetime' } });
  await createTier({ app: app() }, auth, { title: 'Bronze' });
  // Connected before any customer: no sync starts by itself.
  await connect(auth);
  const ids: string[] = [];
  for (let i = 1; i <= 8; i++) {
    const id = `s2${process.pid}-${i}`;
    ids.push(id);
    await request(app())
      .put(`/v1/customers/${id}`)
      .set(auth)
      .send({ email: `${id}@example.com` })
      .expect(201);
  }
  const jobsBefore = klaviyo.bulkJobs.length;
  // The first job goes through; the second is throttled for an hour.
  klaviyo.throttlePath('/api/profile-bulk-import-jobs', 1, 3600, 1);
  const started = await request(app()).post('/v1/integrations/klaviyo/sync').set(auth).expect(202);
  expect(started.body).toMatchObject({ state: 'running', total: 8, sent: 0 });
  await built.services.klaviyoSync.idle();

  const waiting = (await request(app()).get('/v1/integrations/klaviyo/sync').set(auth).expect(200)).body;
  expect(waiting).toMatchObject({ id: started.body.id, state: 'running', sent: 3, jobs: 1, progress: 0.375 });
  const retryInS = (Date.parse(waiting.retryAt) - Date.now()) / 1000;
  expect(retryInS).toBeGreaterThan(3000);
  // Nobody resumes it before Retry-After; a replay of the POST answers the same sync.
  expect(await built.services.klaviyoSync.resumeOrphaned()).toBe(0);
  const replay = await request(app()).post('/v1/integrations/klaviyo/sync').set(auth).expect(202);
  expect(replay.body.id).toBe(started.body.id);
  await built.services.klaviyoSync.idle();
  expect(klaviyo.bulkJobs.length).toBe(jobsBefore + 1);

  // A restart: a new process on the same database; an hour has passed; another worker's live
  // lease is respected, an expired one is taken over.
  const restarted = start();
  await sql.query(
    `UPDATE klaviyo_syncs SET retry_at = now() - interval '1 second', worker = 'gone', lease_until = now() + interval '1 hour'
     WHERE program_id = $1`,
    [programId],
  );
  expect(await restarted.services.klaviyoSync.resumeOrphaned()).toBe(0);
  await sql.query(
    `UPDATE klaviyo_syncs SET lease_until = now() - interval '1 second' WHERE program_id = $1`,
    [programId],
  );
  expect(await restarted.services.klaviyoSync.resumeOrphaned()).toBe(1);
  const done = (await request(restarted.app).get('/v1/integrations/klaviyo/sync').set(auth).expect(200)).body;
  expect(done).toMatchObject({ state: 'done', sent: 8, jobs: 3, retryAt: null, progress: 1 });
  const sentIds = klaviyo.bulkJobs.slice(jobsBefore).flatMap((j) => j.profiles);
  expect(sentIds).toEqual(ids.slice().sort());

  // Finished: a new POST starts a new sync.
  const again = await request(app()).post('/v1/integrations/klaviyo/sync').set(auth).expect(202);
  expect(again.body.id).not.toBe(started.body.id);
  await built.services.klaviyoSync.idle();
}, 120_000);

it('keeps every job under the byte limit, and a refused key makes the sync wait for a new one', async () => {
  const small = start({ syncJobBytes: 1200 });
  const { auth, programId } = await createProgram({ app: small.app }, { retention: { mode: 'lifetime' } });
  await createTier({ app: small.app }, auth, { title: 'Bronze' });
  await request(small.app)
    .put('/v1/integrations/klaviyo')
    .set(auth)
    .send({ apiKey: klaviyo.apiKey })
    .expect(200);
  for (let i = 1; i <= 5; i++) {
    await request(small.app)
      .put(`/v1/customers/s3${process.pid}-${i}`)
      .set(auth)
      .send({ email: `s3-${i}@example.com` })
      .expect(201);
  }
  const jobsBefore = klaviyo.bulkJobs.length;
  // The profile updates those customers queued go first (they would meet the refused key too).
  await small.services.klaviyoQueue.dispatch();
  // The key is refused: the connection needs attention, the sync waits (nothing lost).
  const good = klaviyo.apiKey;
  klaviyo.apiKey = 'pk_other_0123456789abcdef';
  await request(small.app).post('/v1/integrations/klaviyo/sync').set(auth).expect(202);
  await small.services.klaviyoSync.idle();
  const held = (await request(small.app).get('/v1/integrations/klaviyo/sync').set(auth).expect(200)).body;
  expect(held).toMatchObject({ state: 'running', sent: 0 });
  expect(held.lastError).toMatch(/401/);
  const conn = (await request(small.app).get('/v1/integrations/klaviyo').set(auth).expect(200)).body;
  expect(conn.state).toBe('needs_attention');
  // While the key needs attention, a new sync is refused with a clear 409.
  await sql.query(`UPDATE klaviyo_syncs SET state = 'failed' WHERE program_id = $1`, [programId]);
  const refused = await request(small.app).post('/v1/integrations/klaviyo/sync').set(auth);
  expect(refused.status).toBe(409);
  expect(refused.body.error.code).toBe('klaviyo_needs_attention');
  await sql.query(`UPDATE klaviyo_syncs SET state = 'running' WHERE program_id = $1`, [programId]);

  // A working key saved; once the wait is over the sync goes on where it was.
  klaviyo.apiKey = good;
  await request(small.app).put('/v1/integrations/klaviyo').set(auth).send({ apiKey: good }).expect(200);
  await sql.query(`UPDATE klaviyo_syncs SET retry_at = now() - interval '1 second' WHERE program_id = $1`, [
    programId,
  ]);
  expect(await small.services.klaviyoSync.resumeOrphaned()).toBeGreaterThanOrEqual(1);
  const done = (await request(small.app).get('/v1/integrations/klaviyo/sync').set(auth).expect(200)).body;
  expect(done).toMatchObject({ state: 'done', sent: 5 });
  const jobs = klaviyo.bulkJobs.slice(jobsBefore);
  expect(jobs.length).toBeGreaterThan(1);
  for (const j of jobs) expect(j.bytes).toBeLessThan(1200 + 200);
  expect(jobs.flatMap((j) => j.profiles)).toHaveLength(5);
}, 120_000);
