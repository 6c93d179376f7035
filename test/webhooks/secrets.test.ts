/**
 * Webhook signing secrets at rest and their rotation (issue 15 item 2, docs/decisions/0041),
 * through the real app on its own PostgreSQL database and a receiver on a real socket: the
 * table never holds a secret readable; a rotation's overlap (test clock, no sleeping) signs
 * every delivery with the old and the new secret, and only the new one after it; a new key
 * first in the keyring re-seals everything at start; a key gone from the keyring is reported
 * and fails deliveries with a clear reason, nothing crashes.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { SecretBox, type SecretKey } from '../../src/integrations/secrets/secret-box.js';
import type { Received, Receiver } from './receiver.js';
import {
  type Auth,
  advanceClock,
  closeWithReceiver,
  createProgram,
  LOOPBACK_ONLY,
  startWithReceiver,
  subscribe,
  type WebhookHarness,
} from './webhook-harness.js';

const key = (id: string): SecretKey => ({ id, key: randomBytes(32) });
const k1 = key('k1');
const k2 = key('k2');
const k3 = key('k3');

let h: WebhookHarness;
let receiver: Receiver;
let db: pg.Client;
beforeAll(async () => {
  ({ h, receiver } = await startWithReceiver({ secrets: new SecretBox([k1]) }));
  db = new pg.Client({ connectionString: h.databaseUrl });
  await db.connect();
}, 120_000);
afterAll(async () => {
  await db?.end();
  await closeWithReceiver(h, receiver);
}, 120_000);

/** Every `v1` of a Tierpass-Signature header. */
function signatures(header: string): string[] {
  return header
    .split(',')
    .filter((p) => p.startsWith('v1='))
    .map((p) => p.slice(3));
}

/** True when any `v1` of the delivery's header is the HMAC of `t.body` under `secret`. */
function verifies(r: Received, secret: string): boolean {
  const header = String(r.headers['tierpass-signature']);
  const t = /^t=(\d+)/.exec(header)?.[1];
  if (!t) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${r.raw}`).digest();
  return signatures(header).some((v) => {
    const given = Buffer.from(v, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** A customer created now: the entry tier makes a tier.upgraded event about them. */
async function customerEvent(auth: Auth, id: string, app = h.app): Promise<void> {
  await request(app)
    .put(`/v1/customers/${id}`)
    .set(auth)
    .send({ email: `${id}@example.com` })
    .expect(201);
}

const aboutCustomer = (id: string) =>
  receiver.requests.filter((r) => (r.body.data.customer as { id?: string } | undefined)?.id === id);

async function storedSecrets(subscriptionId: string) {
  const { rows } = await db.query<{ secret: string; previous_secret: string | null }>(
    'SELECT secret, previous_secret FROM webhook_subscriptions WHERE id = $1',
    [subscriptionId],
  );
  const row = rows[0];
  if (!row) throw new Error(`no row for ${subscriptionId}`);
  return row;
}

/** A program with one entry tier and a subscription to upgrades. */
async function setUp(body: Record<string, unknown> = {}) {
  const { programId, auth } = await createProgram(h, body);
  await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Member' }).expect(201);
  const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
  return { programId, auth, sub };
}

it('stores the secret sealed: the table never holds it readable, and it is returned only once', async () => {
  const { auth, sub } = await setUp();
  expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  const row = await storedSecrets(sub.id);
  expect(row.secret.startsWith('sb1.k1.')).toBe(true);
  expect(row.secret).not.toContain(sub.secret);
  expect(row.secret).not.toContain(sub.secret.slice('whsec_'.length));
  // Nowhere in the table, whatever column.
  const { rows } = await db.query(
    'SELECT count(*)::int AS n FROM webhook_subscriptions s WHERE s::text LIKE $1',
    [`%${sub.secret.slice('whsec_'.length)}%`],
  );
  expect(rows[0].n).toBe(0);
  for (const path of ['/v1/webhooks', `/v1/webhooks/${sub.id}`]) {
    const res = await request(h.app).get(path).set(auth).expect(200);
    expect(JSON.stringify(res.body)).not.toContain(sub.secret);
  }
  // Deliveries are signed with it.
  await customerEvent(auth, 'sealed-1');
  await h.services.webhookDispatcher.dispatch();
  const [got] = aboutCustomer('sealed-1');
  if (!got) throw new Error('no delivery');
  expect(String(got.headers['tierpass-signature'])).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  expect(verifies(got, sub.secret)).toBe(true);
});

it('rotates with an overlap: both signatures until it ends on the test clock, then only the new one', async () => {
  const { auth, sub } = await setUp({ mode: 'test', clockStart: '2025-03-01T00:00:00Z' });
  const res = await request(h.app).post(`/v1/webhooks/${sub.id}/rotate-secret`).set(auth).expect(200);
  const rotated = res.body as { secret: string; previousSecretExpiresAt: string; id: string };
  expect(rotated.id).toBe(sub.id);
  expect(rotated.secret).toMatch(/^whsec_/);
  expect(rotated.secret).not.toBe(sub.secret);
  // Default overlap: 24 hours of the program's clock.
  expect(rotated.previousSecretExpiresAt).toBe('2025-03-02T00:00:00.000Z');
  const listed = await request(h.app).get(`/v1/webhooks/${sub.id}`).set(auth).expect(200);
  expect(listed.body.secret).toBeUndefined();
  expect(listed.body.previousSecretExpiresAt).toBe('2025-03-02T00:00:00.000Z');
  const row = await storedSecrets(sub.id);
  expect(row.secret).not.toContain(rotated.secret.slice(6));
  expect(row.previous_secret).not.toContain(sub.secret.slice(6));

  await advanceClock(h, auth, '2025-03-01T23:00:00Z');
  await customerEvent(auth, 'overlap-1');
  await h.services.webhookDispatcher.dispatch();
  const [during] = aboutCustomer('overlap-1');
  if (!during) throw new Error('no delivery during the overlap');
  expect(signatures(String(during.headers['tierpass-signature']))).toHaveLength(2);
  expect(verifies(during, rotated.secret)).toBe(true);
  expect(verifies(during, sub.secret)).toBe(true);
  expect(verifies(during, `whsec_${randomBytes(32).toString('base64url')}`)).toBe(false);

  await advanceClock(h, auth, '2025-03-02T00:00:00Z');
  await customerEvent(auth, 'overlap-2');
  await h.services.webhookDispatcher.dispatch();
  const [after] = aboutCustomer('overlap-2');
  if (!after) throw new Error('no delivery after the overlap');
  expect(signatures(String(after.headers['tierpass-signature']))).toHaveLength(1);
  expect(verifies(after, rotated.secret)).toBe(true);
  expect(verifies(after, sub.secret)).toBe(false);
});

it('rotates without overlap on request, and refuses bad input with 4xx, changing nothing', async () => {
  const { auth, sub } = await setUp();
  const before = await storedSecrets(sub.id);
  for (const body of [{ overlapHours: 169 }, { overlapHours: -1 }, { overlapHours: 1.5 }, { overlap: 2 }]) {
    const bad = await request(h.app).post(`/v1/webhooks/${sub.id}/rotate-secret`).set(auth).send(body);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  }
  const missing = await request(h.app).post('/v1/webhooks/wh_nope/rotate-secret').set(auth).send({});
  expect(missing.status).toBe(404);
  expect(missing.body.error.code).toBe('webhook_not_found');
  expect(await storedSecrets(sub.id)).toEqual(before);

  const res = await request(h.app)
    .post(`/v1/webhooks/${sub.id}/rotate-secret`)
    .set(auth)
    .send({ overlapHours: 0 })
    .expect(200);
  expect(res.body.previousSecretExpiresAt).toBeNull();
  expect((await storedSecrets(sub.id)).previous_secret).toBeNull();
  await customerEvent(auth, 'no-overlap');
  await h.services.webhookDispatcher.dispatch();
  const [got] = aboutCustomer('no-overlap');
  if (!got) throw new Error('no delivery');
  expect(verifies(got, res.body.secret)).toBe(true);
  expect(verifies(got, sub.secret)).toBe(false);
});

it('opens values under an older key, and re-seals them under a new current key at start', async () => {
  const { auth, sub } = await setUp();
  // A plain row from before migration 031: still signs, then sealed at start.
  const legacy = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
  const legacyPlain = 'whsec_legacy_plain_secret_written_before_sealing';
  await db.query('UPDATE webhook_subscriptions SET secret = $1 WHERE id = $2', [legacyPlain, legacy.id]);

  // k2 becomes current, k1 stays behind it.
  const rotatedKeys = h.another({ policy: LOOPBACK_ONLY, secrets: new SecretBox([k2, k1]) });
  await customerEvent(auth, 'keyring-1', rotatedKeys.app);
  await rotatedKeys.services.webhookDispatcher.dispatch();
  const got = aboutCustomer('keyring-1');
  expect(got).toHaveLength(2);
  expect(got.some((r) => verifies(r, sub.secret))).toBe(true);
  expect(got.some((r) => verifies(r, legacyPlain))).toBe(true);

  const report = await rotatedKeys.services.resealSecrets();
  expect(report.unopenable).toEqual([]);
  expect(report.resealed).toBeGreaterThanOrEqual(2);
  expect((await storedSecrets(sub.id)).secret.startsWith('sb1.k2.')).toBe(true);
  const sealedLegacy = (await storedSecrets(legacy.id)).secret;
  expect(sealedLegacy.startsWith('sb1.k2.')).toBe(true);
  expect(sealedLegacy).not.toContain(legacyPlain);
  const { rows } = await db.query(
    "SELECT count(*)::int AS n FROM webhook_subscriptions WHERE NOT starts_with(secret, 'sb1.k2.')",
  );
  expect(rows[0].n).toBe(0);
  // Idempotent: nothing left to do.
  expect(await rotatedKeys.services.resealSecrets()).toEqual({ resealed: 0, unopenable: [] });
  // /metrics shows the count.
  const metrics = await request(rotatedKeys.app).get('/metrics').expect(200);
  expect(metrics.text).toMatch(/^tierpass_secrets_resealed 0$/m);
  expect(metrics.text).toMatch(/^tierpass_webhook_secrets_unopenable 0$/m);

  // k1 removed: everything still opens.
  const k2Only = h.another({ policy: LOOPBACK_ONLY, secrets: new SecretBox([k2]) });
  await customerEvent(auth, 'keyring-2', k2Only.app);
  await k2Only.services.webhookDispatcher.dispatch();
  const after = aboutCustomer('keyring-2');
  expect(after).toHaveLength(2);
  expect(after.some((r) => verifies(r, sub.secret))).toBe(true);
  expect(after.some((r) => verifies(r, legacyPlain))).toBe(true);
});

it('reports a secret under a key no longer in the keyring, fails its deliveries with the reason, and recovers by rotation', async () => {
  const { auth, sub } = await setUp();
  const good = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
  // Only this subscription's secret is under a key the new keyring lacks.
  await db.query('UPDATE webhook_subscriptions SET secret = $1 WHERE id = $2', [
    new SecretBox([k3]).seal(
      'whsec_under_a_lost_key',
      `webhook:${(await programOf(sub.id)) ?? ''}:${sub.id}`,
    ),
    sub.id,
  ]);
  const app = h.another({ policy: LOOPBACK_ONLY, secrets: new SecretBox([k2, k1]) });
  const report = await app.services.resealSecrets();
  expect(report.unopenable).toContainEqual({
    programId: await programOf(sub.id),
    subscriptionId: sub.id,
    reason: 'sealed under key "k3", which is not in the keyring',
  });
  const metrics = await request(app.app).get('/metrics').expect(200);
  expect(metrics.text).toMatch(/^tierpass_webhook_secrets_unopenable [1-9]\d*$/m);

  await customerEvent(auth, 'lost-key', app.app);
  await app.services.webhookDispatcher.dispatch();
  const got = aboutCustomer('lost-key');
  // The other subscription is delivered; nothing unsigned reaches the receiver for this one.
  expect(got).toHaveLength(1);
  expect(verifies(got[0] as Received, good.secret)).toBe(true);
  const log = await request(app.app).get(`/v1/webhooks/${sub.id}/deliveries`).set(auth).expect(200);
  const [d] = log.body.data;
  expect(d.state).toBe('pending');
  expect(d.lastStatus).toBeNull();
  expect(d.lastError).toMatch(/signing secret cannot be opened.*"k3".*SECRETS_KEYS/);

  // Rotating gives it a secret that opens; the lost one is not kept for the overlap.
  const rotated = await request(app.app).post(`/v1/webhooks/${sub.id}/rotate-secret`).set(auth).expect(200);
  await customerEvent(auth, 'lost-key-2', app.app);
  await app.services.webhookDispatcher.dispatch();
  const mine = aboutCustomer('lost-key-2').filter((r) => verifies(r, rotated.body.secret));
  expect(mine).toHaveLength(1);
  expect(signatures(String(mine[0]?.headers['tierpass-signature']))).toHaveLength(1);
});

async function programOf(subscriptionId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ program_id: string }>(
    'SELECT program_id FROM webhook_subscriptions WHERE id = $1',
    [subscriptionId],
  );
  return rows[0]?.program_id;
}
