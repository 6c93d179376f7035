/**
 * The Klaviyo destination end to end (docs/decisions/0044): the real app on its own PostgreSQL
 * database, a Klaviyo stand-in on a real socket that checks the key, the revision and the content
 * type and validates every body against Klaviyo's published request schemas. A tier upgrade and a
 * cycle downgrade reach it as events and as profile properties; a 429 waits for Retry-After; a
 * refused key marks the connection as needing attention and loses nothing; the key is not
 * readable in the database; disconnecting stops sending.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import { ADMIN_TOKEN, createProgram } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { type KlaviyoStandIn, startKlaviyoStandIn } from './klaviyo-stand-in.js';
import { validateEvent, validateProfile } from './openapi-schema.js';

let db: Awaited<ReturnType<typeof createTempDatabase>>;
let store: Store;
let sql: pg.Client;
let built: ReturnType<typeof buildApp>;
let klaviyo: KlaviyoStandIn;

beforeAll(async () => {
  db = await createTempDatabase();
  store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  klaviyo = await startKlaviyoStandIn();
  built = buildApp({
    store,
    clock: { now: () => new Date() },
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    secrets: new SecretBox([{ id: 't1', key: randomBytes(32) }]),
    klaviyo: { origin: klaviyo.origin, retryBaseMs: 50 },
    rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
  });
}, 120_000);

afterAll(async () => {
  await built.services.outbox.close();
  await klaviyo.close();
  await sql.end();
  await store.close();
  await db.drop();
}, 120_000);

const app = () => built.app;
const dispatch = () => built.services.klaviyoQueue.dispatch();
type Auth = { Authorization: string };

/** Rows waiting, as the database holds them (program time is not involved: database time). */
async function waiting(programId: string) {
  const { rows } = await sql.query<{ event_id: string | null; wait_s: number; attempts: number }>(
    `SELECT event_id, extract(epoch FROM due_at - now())::float8 AS wait_s, attempts FROM outbox
     WHERE program_id = $1 AND kind = 'klaviyo_profile_changed' AND done_at IS NULL ORDER BY id`,
    [programId],
  );
  return rows;
}

/** Stand for time passing: the waiting rows become due. */
const makeDue = (programId: string) =>
  sql.query(
    `UPDATE outbox SET due_at = now() - interval '1 second' WHERE program_id = $1 AND kind = 'klaviyo_profile_changed' AND done_at IS NULL`,
    [programId],
  );

const advance = async (auth: Auth, to: string) => {
  await request(app()).post('/v1/test-clock/advance').set(auth).send({ to }).expect(200);
};

const metricsOf = (customer: string) =>
  klaviyo.events
    .filter((e) => e.profile.data.attributes.external_id === customer)
    .map((e) => [e.metric.data.attributes.name, e.properties.to_tier ?? e.properties.tier ?? null]);

/** A cycle-mode test program: Bronze, and Gold at 2,000 points this cycle. */
async function cycleProgram() {
  const { auth, programId } = await createProgram(
    { app: app() },
    {
      mode: 'test',
      clockStart: '2025-01-01T00:00:00Z',
      timezone: 'UTC',
      earning: { pointsPerUnit: 10 },
      retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' } },
    },
  );
  await request(app()).post('/v1/tiers').set(auth).send({ title: 'Bronze' }).expect(201);
  await request(app())
    .post('/v1/tiers')
    .set(auth)
    .send({ title: 'Gold', qualifications: [{ type: 'carryPoints', minPoints: 2000 }] })
    .expect(201);
  return { auth, programId };
}

describe('connecting', () => {
  it('is described in the OpenAPI document, the key write-only', async () => {
    const doc = (await request(app()).get('/openapi.json').expect(200)).body;
    const path = doc.paths['/v1/integrations/klaviyo'];
    expect(Object.keys(path).sort()).toEqual(['delete', 'get', 'put']);
    expect(JSON.stringify(path.put.requestBody)).toContain('apiKey');
    expect(JSON.stringify(path.get.responses['200'])).not.toContain('apiKey');
  });

  it('checks the key against Klaviyo: a refused key is a 422 and stores nothing', async () => {
    const { auth, programId } = await cycleProgram();
    const res = await request(app())
      .put('/v1/integrations/klaviyo')
      .set(auth)
      .send({ apiKey: 'pk_wrong_0123456789abcdef' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('klaviyo_key_rejected');
    expect((await request(app()).get('/v1/integrations/klaviyo').set(auth)).body.error.code).toBe(
      'klaviyo_not_connected',
    );
    const { rows } = await sql.query('SELECT 1 FROM klaviyo_connections WHERE program_id = $1', [programId]);
    expect(rows).toHaveLength(0);
    const bad = await request(app()).put('/v1/integrations/klaviyo').set(auth).send({ apiKey: 'not-a-key' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });

  it('the stand-in refuses bodies outside Klaviyo’s schema, a wrong revision and a wrong content type', async () => {
    // The checks the destination is held to can fail.
    expect(validateEvent({ data: { type: 'event', attributes: { properties: {} } } })).toEqual(
      expect.arrayContaining(['$.data.attributes: metric is required']),
    );
    expect(validateProfile({ data: { type: 'profiles', attributes: {} } })).toHaveLength(1);
    const post = (headers: Record<string, string>) =>
      fetch(`${klaviyo.origin}/api/events`, { method: 'POST', headers, body: '{}' });
    const auth = `Klaviyo-API-Key ${klaviyo.apiKey}`;
    expect(
      (
        await post({
          authorization: auth,
          revision: '2023-01-01',
          'content-type': 'application/vnd.api+json',
        })
      ).status,
    ).toBe(400);
    expect(
      (await post({ authorization: auth, revision: '2026-07-15', 'content-type': 'application/json' }))
        .status,
    ).toBe(415);
  });
});

describe('a connected program', () => {
  it('sends tier events and keeps the profile current; 429 waits for Retry-After; the key stays sealed', async () => {
    const { auth, programId } = await cycleProgram();
    const start = klaviyo.requests.length;
    const res = await request(app())
      .put('/v1/integrations/klaviyo')
      .set(auth)
      .send({ apiKey: klaviyo.apiKey });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      accountId: klaviyo.accountId,
      keyHint: `…${klaviyo.apiKey.slice(-4)}`,
      state: 'connected',
      lastError: null,
      revision: '2026-07-15',
    });
    expect(JSON.stringify(res.body)).not.toContain(klaviyo.apiKey);
    expect(
      JSON.stringify((await request(app()).get('/v1/integrations/klaviyo').set(auth)).body),
    ).not.toContain(klaviyo.apiKey);
    // Not readable at rest: no column of the row holds the key.
    const row = await sql.query<{ t: string; sealed: string }>(
      'SELECT row_to_json(k)::text AS t, api_key_sealed AS sealed FROM klaviyo_connections k WHERE program_id = $1',
      [programId],
    );
    expect(row.rows[0]?.t).not.toContain(klaviyo.apiKey);
    expect(row.rows[0]?.t).not.toContain(klaviyo.apiKey.slice(3));
    expect(row.rows[0]?.sealed).toMatch(/^sb1\./);

    await request(app())
      .put('/v1/customers/wendy')
      .set(auth)
      .send({ email: 'wendy@example.com' })
      .expect(201);
    await advance(auth, '2025-02-01T00:00:00Z');
    await request(app()).post('/v1/orders').set(auth).send({ id: 'w1', customerId: 'wendy', amount: 12_500 });
    await request(app()).post('/v1/orders').set(auth).send({ id: 'w2', customerId: 'wendy', amount: 10_000 });
    await dispatch();
    expect(metricsOf('wendy')).toEqual([
      ['Tier Upgraded', 'Bronze'],
      ['Tier Upgraded', 'Gold'],
    ]);
    const gold = klaviyo.events.find((e) => e.properties.to_tier === 'Gold');
    expect(gold?.unique_id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(gold?.profile.data.attributes).toEqual({ external_id: 'wendy', email: 'wendy@example.com' });
    expect(klaviyo.profiles.get('wendy')).toEqual({
      email: 'wendy@example.com',
      properties: expect.objectContaining({
        tierpass_tier: 'Gold',
        tierpass_points: 2250,
        tierpass_points_carry: 2250,
        tierpass_keep: 'Gold is kept at the boundary on 1 Apr 2025',
        tierpass_keep_met: true,
        tierpass_keep_by: '2025-04-01T00:00:00.000Z',
      }),
    });
    expect(klaviyo.profiles.get('wendy')?.properties).not.toHaveProperty('tierpass_next_tier');
    expect(await waiting(programId)).toEqual([]);

    // A refund moves the balance: the profile follows, and now says what keeps Gold.
    await request(app())
      .post('/v1/orders/w2/refunds')
      .set(auth)
      .send({ id: 'w2r', amount: 10_000 })
      .expect(201);
    await dispatch();
    expect(klaviyo.profiles.get('wendy')?.properties).toMatchObject({
      tierpass_tier: 'Gold',
      tierpass_points_carry: 1250,
      tierpass_keep: '750 points this cycle by 1 Apr 2025 to keep Gold',
      tierpass_keep_met: false,
    });

    // The boundary downgrades her; Klaviyo throttles the first request for 30 s.
    klaviyo.throttle(1, 30);
    const before = klaviyo.requests.length;
    await advance(auth, '2025-04-01T00:00:00Z');
    await dispatch();
    expect(klaviyo.requests.slice(before).map((r) => r.status)).toEqual([429]);
    const held = await waiting(programId);
    expect(held.length).toBeGreaterThan(0);
    // Retry-After honoured: nothing is due before 30 s (database time), and no attempt is counted.
    for (const r of held) {
      expect(r.wait_s).toBeGreaterThan(20);
      expect(r.attempts).toBe(0);
    }
    await dispatch();
    expect(klaviyo.requests.length).toBe(before + 1);
    await makeDue(programId);
    await dispatch();
    expect(metricsOf('wendy')).toEqual([
      ['Tier Upgraded', 'Bronze'],
      ['Tier Upgraded', 'Gold'],
      ['Tier Downgrade Warning', 'Gold'],
      ['Tier Downgraded', 'Bronze'],
    ]);
    expect(klaviyo.profiles.get('wendy')?.properties).toMatchObject({
      tierpass_tier: 'Bronze',
      tierpass_next_tier: 'Gold',
    });
    expect(await waiting(programId)).toEqual([]);
    // Every request that reached the stand-in passed its checks but the throttled one.
    expect(klaviyo.requests.slice(start).filter((r) => r.status >= 400 && r.status !== 429)).toEqual([]);
    expect(
      klaviyo.requests.slice(start).filter((r) => r.status === 201 || r.status === 200).length,
    ).toBeGreaterThan(3);
  });

  it('a refused key needs attention and holds the rows; a new key sends them; disconnecting stops', async () => {
    const { auth, programId } = await cycleProgram();
    await request(app())
      .put('/v1/integrations/klaviyo')
      .set(auth)
      .send({ apiKey: klaviyo.apiKey })
      .expect(200);
    await request(app()).put('/v1/customers/rex').set(auth).send({ email: 'rex@example.com' }).expect(201);
    await request(app()).post('/v1/orders').set(auth).send({ id: 'r1', customerId: 'rex', amount: 25_000 });

    const oldKey = klaviyo.apiKey;
    klaviyo.apiKey = 'pk_rotated_fedcba9876543210';
    try {
      await dispatch();
      const status = (await request(app()).get('/v1/integrations/klaviyo').set(auth)).body;
      expect(status.state).toBe('needs_attention');
      expect(status.lastError).toContain('401');
      const held = await waiting(programId);
      expect(held.length).toBeGreaterThan(0);
      expect(metricsOf('rex')).toEqual([]);

      // The merchant saves the new key: the held rows go, in order.
      const saved = await request(app())
        .put('/v1/integrations/klaviyo')
        .set(auth)
        .send({ apiKey: klaviyo.apiKey })
        .expect(200);
      expect(saved.body.state).toBe('connected');
      await makeDue(programId);
      await dispatch();
      expect(metricsOf('rex')).toEqual([
        ['Tier Upgraded', 'Bronze'],
        ['Tier Upgraded', 'Gold'],
      ]);
      expect(klaviyo.profiles.get('rex')?.properties.tierpass_tier).toBe('Gold');

      await request(app()).delete('/v1/integrations/klaviyo').set(auth).expect(204);
      expect((await request(app()).get('/v1/integrations/klaviyo').set(auth)).status).toBe(404);
      const before = klaviyo.requests.length;
      await request(app()).post('/v1/orders').set(auth).send({ id: 'r2', customerId: 'rex', amount: 5_000 });
      await dispatch();
      expect(klaviyo.requests.length).toBe(before);
      expect(await waiting(programId)).toEqual([]);
      const gone = await sql.query('SELECT 1 FROM klaviyo_connections WHERE program_id = $1', [programId]);
      expect(gone.rows).toHaveLength(0);
    } finally {
      klaviyo.apiKey = oldKey;
    }
  });
});
