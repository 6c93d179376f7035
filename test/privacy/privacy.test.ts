/**
 * Privacy operations through the real app on a database of its own (docs/decisions/0043): a
 * customer's export, the erasure of their personal data everywhere Tierpass keeps it (customer,
 * stored responses, webhook events, tier change facts, ledger reasons, the Google object at a
 * local Google stand-in, the Apple pass), and the deletion of a whole program.
 */
import pg from 'pg';
import request from 'supertest';
import { type GoogleHarness, startGoogleHarness } from '../google/google-harness.js';
import { changedTables, digestDatabase } from '../http/db-digest.js';
import { openPkpass } from '../passes/pass-harness.js';
import { fixedClock, uid } from '../support/harness.js';
import { rowsMentioning as mentioning } from '../support/rows-mentioning.js';
import { createTempDatabase } from '../support/temp-db.js';

const ADMIN = { Authorization: 'Bearer test-admin-token-0123456789' };
const clock = fixedClock(new Date('2026-03-10T09:00:00Z'));
let h: GoogleHarness;
let temp: Awaited<ReturnType<typeof createTempDatabase>> | undefined;
let db: pg.Client;

beforeAll(async () => {
  temp = await createTempDatabase();
  h = await startGoogleHarness({ clock, databaseUrl: temp.url });
  db = new pg.Client({ connectionString: temp.url });
  await db.connect();
}, 120_000);
afterAll(async () => {
  await db?.end();
  await h?.close();
  await temp?.drop();
}, 60_000);

type Auth = { Authorization: string };

/** A program with two tiers and a webhook subscription (its deliveries stay pending: no receiver). */
async function newProgram(): Promise<{ auth: Auth; programId: string }> {
  const res = await request(h.app)
    .post('/v1/programs')
    .set(ADMIN)
    .send({
      name: 'Maison',
      currency: 'USD',
      earning: { pointsPerUnit: 10 },
      retention: { mode: 'continuous' },
    });
  expect(res.status).toBe(201);
  const auth = { Authorization: `Bearer ${res.body.apiKey}` };
  for (const [title, minPoints] of [
    ['Bronze', null],
    ['Silver', 1000],
  ] as const) {
    const t = await request(h.app)
      .post('/v1/tiers')
      .set(auth)
      .send({ title, ...(minPoints ? { qualifications: [{ type: 'lifetimePoints', minPoints }] } : {}) });
    expect(t.status).toBe(201);
  }
  const sub = await request(h.app)
    .post('/v1/webhooks')
    .set(auth)
    .send({ url: 'https://8.8.8.8/tierpass-test-hook', events: ['tier.upgraded', 'customer.tags_changed'] });
  expect(sub.body).toMatchObject({ state: 'enabled' });
  return { auth, programId: res.body.program.id };
}

/**
 * A customer with personal data everywhere: profile, orders (stored responses), a refund, a
 * points adjustment with a reason, a tier change (facts hold the tags), webhook events, an Apple
 * pass registered on a device and a Google object at the stand-in.
 */
async function personalCustomer(auth: Auth, email: string, name: string, tag: string) {
  const id = uid('cust');
  const put = await request(h.app)
    .put(`/v1/customers/${id}`)
    .set(auth)
    .send({ email, name, tags: [tag] });
  expect(put.status).toBe(201);
  const orderId = uid('order');
  expect(
    (await request(h.app).post('/v1/orders').set(auth).send({ id: orderId, customerId: id, amount: 15_000 }))
      .status,
  ).toBe(201);
  expect(
    (
      await request(h.app)
        .post(`/v1/orders/${orderId}/refunds`)
        .set(auth)
        .send({ id: uid('refund'), amount: 2_000 })
    ).status,
  ).toBe(201);
  const adjust = await request(h.app)
    .post(`/v1/customers/${id}/points`)
    .set(auth)
    .set('Idempotency-Key', uid('adj'))
    .send({ points: 25, reason: `goodwill for ${name}` });
  expect(adjust.status).toBe(201);
  const pass = await request(h.app)
    .get(`/v1/customers/${id}/passes/apple`)
    .set(auth)
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(pass.status).toBe(200);
  const { pass: passJson } = openPkpass(pass.body as Buffer);
  const reg = await request(h.app)
    .post(
      `/wallet/apple/v1/devices/${uid('device')}/registrations/${passJson.passTypeIdentifier}/${passJson.serialNumber}`,
    )
    .set('Authorization', `ApplePass ${passJson.authenticationToken}`)
    .send({ pushToken: 'a'.repeat(64) });
  expect(reg.status).toBe(201);
  const save = await request(h.app).get(`/v1/customers/${id}/passes/google`).set(auth);
  expect(save.status).toBe(200);
  return { id, serial: passJson.serialNumber as string };
}

const rowsMentioning = (needle: string) => mentioning(db, needle);

async function googleObjectOf(programId: string, customerId: string) {
  const { rows } = await db.query<{ object_id: string }>(
    'SELECT object_id FROM google_wallet_objects WHERE program_id = $1 AND customer_id = $2',
    [programId, customerId],
  );
  const objectId = rows[0]?.object_id as string;
  return h.standIn.objects.get(objectId);
}

describe('OpenAPI', () => {
  it('documents the three operations', async () => {
    const doc = (await request(h.app).get('/openapi.json')).body;
    expect(doc.paths['/v1/customers/{customerId}/export']?.get?.tags).toEqual(['Privacy']);
    expect(doc.paths['/v1/customers/{customerId}/redact']?.post?.responses?.['200']).toBeDefined();
    expect(doc.paths['/v1/customers/{customerId}']?.delete?.tags).toEqual(['Privacy']);
    expect(doc.paths['/v1/programs/{programId}']?.delete?.security).toEqual([{ adminToken: [] }]);
  });
});

describe('customer export', () => {
  it('holds the profile, balances, every ledger entry, orders with refunds, tier history, passes and webhook events', async () => {
    const { auth } = await newProgram();
    const { id, serial } = await personalCustomer(auth, 'ada@example.com', 'Ada Lovelace', 'newsletter');
    const res = await request(h.app).get(`/v1/customers/${id}/export`).set(auth);
    expect(res.status).toBe(200);
    const x = res.body;
    expect(x.customer).toMatchObject({
      id,
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      tags: ['newsletter'],
      redactedAt: null,
    });
    // Balances equal the sum of the exported ledger.
    const sum = (k: string) =>
      x.ledger.reduce((s: number, e: { delta: Record<string, number> }) => s + (e.delta[k] ?? 0), 0);
    for (const k of ['current', 'carry', 'lifetimeEarned', 'lifetimeSpend'])
      expect(sum(k)).toBe(x.customer.balances[k]);
    expect(x.ledger.map((e: { type: string }) => e.type).slice(0, 2)).toEqual(['earn', 'refund_reversal']);
    expect(x.ledger).toHaveLength(3);
    expect(x.ledger[2]).toMatchObject({ points: 25, reason: 'goodwill for Ada Lovelace' });
    expect(x.orders).toHaveLength(1);
    expect(x.orders[0]).toMatchObject({
      amount: 15_000,
      refundedAmount: 2_000,
      refunds: [{ amount: 2_000 }],
    });
    expect(x.tierHistory.map((t: { toTier: { title: string } }) => t.toTier.title)).toEqual([
      'Bronze',
      'Silver',
    ]);
    expect(x.passes.apple).toEqual([
      {
        serial,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        registrations: [expect.any(Object)],
      },
    ]);
    // No token, device id or push token anywhere in the export.
    expect(JSON.stringify(x.passes)).not.toMatch(/aaaaaaaa|device|token/i);
    expect(x.passes.google).toMatchObject({ objectId: expect.stringContaining(id) });
    expect(x.webhookEvents.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['tier.upgraded', 'customer.tags_changed']),
    );
    expect(
      x.webhookEvents.every(
        (e: { data: { customer?: { email: string } } }) => e.data.customer?.email === 'ada@example.com',
      ),
    ).toBe(true);
  });

  it('reads a ledger longer than one page whole, oldest first', async () => {
    const { auth } = await newProgram();
    const id = uid('cust');
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({}).expect(201);
    for (let i = 0; i < 60; i++) {
      const body = Array.from({ length: 10 }, () => ({ id: uid('o'), customerId: id, amount: 100 }));
      await Promise.all(body.map((o) => request(h.app).post('/v1/orders').set(auth).send(o).expect(201)));
    }
    const res = await request(h.app).get(`/v1/customers/${id}/export`).set(auth);
    expect(res.status).toBe(200);
    expect(res.body.ledger).toHaveLength(600);
    expect(res.body.orders).toHaveLength(600);
    const ids = res.body.ledger.map((e: { id: string }) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(res.body.customer.balances.current).toBe(600 * 10);
  }, 120_000);

  it('answers 404 for an unknown customer and for another program’s customer', async () => {
    const a = await newProgram();
    const b = await newProgram();
    const id = uid('cust');
    await request(h.app).put(`/v1/customers/${id}`).set(a.auth).send({}).expect(201);
    for (const path of [`/v1/customers/${uid('nobody')}/export`, `/v1/customers/${id}/export`]) {
      const res = await request(h.app).get(path).set(b.auth);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('customer_not_found');
    }
    const redact = await request(h.app).post(`/v1/customers/${id}/redact`).set(b.auth);
    expect(redact.status).toBe(404);
    expect(redact.body.error.code).toBe('customer_not_found');
  });
});

describe('customer redaction', () => {
  it('erases email, name and tags everywhere, keeps amounts, refreshes the wallet passes, and a replay changes nothing', async () => {
    const { auth, programId } = await newProgram();
    const email = `grace.${uid('x')}@example.com`;
    const name = `Grace Hopper ${uid('n')}`;
    const tag = `secret-tag-${uid('t')}`;
    const { id } = await personalCustomer(auth, email, name, tag);
    const other = await personalCustomer(auth, `other.${uid('x')}@example.com`, 'Other Person', 'keep-me');
    await h.dispatcher.dispatch();
    expect((await googleObjectOf(programId, id))?.accountName).toBe(name);
    expect(Object.keys(await rowsMentioning(email)).sort()).toEqual(
      ['customers', 'idempotency_keys', 'orders', 'refunds', 'webhook_events'].sort(),
    );

    expect(Object.keys(await rowsMentioning(tag))).toEqual(
      expect.arrayContaining(['customers', 'webhook_events']),
    );
    expect(Object.keys(await rowsMentioning(name))).toEqual(expect.arrayContaining(['ledger_entries']));
    const before = (await request(h.app).get(`/v1/customers/${id}/export`).set(auth)).body;
    const analyticsBefore = (await request(h.app).get('/v1/analytics/earnings').set(auth)).body;
    const outboxBefore = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE program_id = $1 AND customer_id = $2',
      [programId, id],
    );

    clock.set(new Date('2026-03-10T10:00:00Z'));
    const res = await request(h.app).post(`/v1/customers/${id}/redact`).set(auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, redactedAt: '2026-03-10T10:00:00.000Z' });

    // Nothing in any table names them any more.
    expect(await rowsMentioning(email)).toEqual({});
    expect(await rowsMentioning(name)).toEqual({});
    expect(await rowsMentioning(tag)).toEqual({});
    // The other customer keeps everything.
    const kept = (await request(h.app).get(`/v1/customers/${other.id}`).set(auth)).body;
    expect(kept).toMatchObject({ name: 'Other Person', tags: ['keep-me'] });

    // Amounts, balances, tier and history stay; balances still equal the ledger's sum.
    const after = (await request(h.app).get(`/v1/customers/${id}/export`).set(auth)).body;
    expect(after.customer).toMatchObject({
      email: null,
      name: null,
      tags: [],
      redactedAt: '2026-03-10T10:00:00.000Z',
    });
    expect(after.customer.balances).toEqual(before.customer.balances);
    expect(after.customer.tier).toEqual(before.customer.tier);
    const amounts = (x: { ledger: { points: number; delta: unknown; type: string }[] }) =>
      x.ledger.map((e) => [e.type, e.points, e.delta]);
    expect(amounts(after)).toEqual(amounts(before));
    expect(after.ledger.every((e: { reason: string | null }) => e.reason === null)).toBe(true);
    expect(after.orders).toEqual(before.orders);
    expect(after.tierHistory.map((t: { toTierId: string }) => t.toTierId)).toEqual(
      before.tierHistory.map((t: { toTierId: string }) => t.toTierId),
    );
    expect(
      after.tierHistory.every((t: { facts: { tags: string[] } }) => (t.facts.tags ?? []).length === 0),
    ).toBe(true);
    expect(after.webhookEvents.map((e: { id: string }) => e.id)).toEqual(
      before.webhookEvents.map((e: { id: string }) => e.id),
    );
    expect((await request(h.app).get('/v1/analytics/earnings').set(auth)).body).toEqual(analyticsBefore);
    // Replayed responses of earlier requests no longer carry the data either.
    const sums = await db.query<{ current: number; ledger: number }>(
      `SELECT c.current::int AS current, (SELECT sum(d_current)::int FROM ledger_entries l
         WHERE l.program_id = c.program_id AND l.customer_id = c.id) AS ledger
       FROM customers c WHERE c.program_id = $1 AND c.id = $2`,
      [programId, id],
    );
    expect(sums.rows[0]?.current).toBe(sums.rows[0]?.ledger);

    // The passes were queued for a refresh in the same commit; the Google object loses the name.
    const outboxAfter = await db.query<{ kind: string }>(
      'SELECT kind FROM outbox WHERE program_id = $1 AND customer_id = $2 ORDER BY id OFFSET $3',
      [programId, id, outboxBefore.rows[0]?.n],
    );
    expect(outboxAfter.rows.map((r) => r.kind).sort()).toEqual([
      'apple_pass_changed',
      'google_object_changed',
    ]);
    await h.dispatcher.dispatch();
    const object = await googleObjectOf(programId, id);
    // Without a name or an email the object carries no account name (never the customer id: G6).
    expect(object?.accountName).toBeUndefined();
    expect(JSON.stringify(object)).not.toContain(name);
    // The Apple pass served now shows no name.
    const pass = await request(h.app)
      .get(`/v1/customers/${id}/passes/apple`)
      .set(auth)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(pass.status).toBe(200);
    expect(JSON.stringify(openPkpass(pass.body as Buffer).pass)).not.toContain(name);

    // A replay: same answer, not one row written.
    const digest = await digestDatabase(temp?.url as string);
    clock.set(new Date('2026-03-11T10:00:00Z'));
    // The replay through API.md's name for the same operation.
    const again = await request(h.app).delete(`/v1/customers/${id}`).set(auth);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(changedTables(digest, await digestDatabase(temp?.url as string))).toEqual([]);
  }, 120_000);

  it('erases again what the merchant sends after a redaction', async () => {
    const { auth } = await newProgram();
    const id = uid('cust');
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({ name: 'First Name' }).expect(201);
    const first = await request(h.app).post(`/v1/customers/${id}/redact`).set(auth).expect(200);
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({ email: 'back@example.com' }).expect(200);
    const second = await request(h.app).delete(`/v1/customers/${id}`).set(auth).expect(200);
    expect(second.body.redactedAt).toBe(first.body.redactedAt);
    // Erased, not removed: the customer and their points are still there.
    await request(h.app).get(`/v1/customers/${id}`).set(auth).expect(200);
    expect((await request(h.app).get(`/v1/customers/${id}`).set(auth)).body.email).toBeNull();
    expect(await rowsMentioning('back@example.com')).toEqual({});
  });
});

describe('program deletion', () => {
  /** Rows per table that belong to `programId` (tables with a program id; attempts via deliveries). */
  async function rowsOf(programId: string): Promise<Record<string, number>> {
    const { rows } = await db.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND column_name IN ('program_id')
         AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE')
       ORDER BY 1`,
    );
    const counts: Record<string, number> = {};
    for (const { table_name } of rows) {
      const r = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${db.escapeIdentifier(table_name)} WHERE program_id = $1`,
        [programId],
      );
      counts[table_name] = r.rows[0]?.n ?? 0;
    }
    counts.programs =
      (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM programs WHERE id = $1', [programId]))
        .rows[0]?.n ?? 0;
    counts.webhook_attempts =
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
           WHERE d.program_id = $1`,
          [programId],
        )
      ).rows[0]?.n ?? 0;
    return counts;
  }

  it('deletes every row of the program in every table, leaves other programs whole, and the API key stops working', async () => {
    const doomed = await newProgram();
    const kept = await newProgram();
    await personalCustomer(doomed.auth, 'doomed@example.com', 'Doomed Person', 'x');
    await personalCustomer(kept.auth, 'kept@example.com', 'Kept Person', 'y');
    await h.dispatcher.dispatch();
    const session = await request(h.app)
      .post('/v1/session')
      .send({ apiKey: doomed.auth.Authorization.slice('Bearer '.length) });
    const keptBefore = await rowsOf(kept.programId);
    const doomedBefore = await rowsOf(doomed.programId);
    expect(doomedBefore).toMatchObject({ customers: 1, ledger_entries: 3, passes: 1, pass_registrations: 1 });
    expect(doomedBefore.google_wallet_objects).toBe(1);
    const keptDigest = JSON.stringify(keptBefore);

    const res = await request(h.app).delete(`/v1/programs/${doomed.programId}`).set(ADMIN);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(doomed.programId);
    expect(res.body.deleted).toMatchObject({ customers: 1, ledger_entries: 3, programs: 1, api_keys: 1 });
    if (session.status === 200) expect(res.body.deleted.console_sessions).toBeGreaterThan(0);

    const after = await rowsOf(doomed.programId);
    expect(Object.entries(after).filter(([, n]) => n > 0)).toEqual([]);
    // Every table holding program rows was emptied by name: none is missing from the deletion.
    for (const table of Object.keys(after)) expect(res.body.deleted).toHaveProperty(table);
    expect(JSON.stringify(await rowsOf(kept.programId))).toBe(keptDigest);
    expect((await request(h.app).get('/v1/program').set(doomed.auth)).status).toBe(401);
    expect((await request(h.app).get('/v1/program').set(kept.auth)).status).toBe(200);

    const again = await request(h.app).delete(`/v1/programs/${doomed.programId}`).set(ADMIN);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('program_not_found');
    expect((await request(h.app).delete(`/v1/programs/${kept.programId}`).set(kept.auth)).status).toBe(401);
  }, 120_000);
});
