/**
 * Pass credentials (0021): PassKit tokens hashed at rest, tokens issued before migration 021
 * still authenticate and stay in their rebuilt passes, and failed pass-token and shopper-link
 * checks are rate limited per client (X-Forwarded-For tells clients apart).
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { PassTokenSeal } from '../../src/features/passes/pass-token-seal.js';
import { loadMigrations, migrate } from '../../src/store/postgres/migrate.js';
import { createPgDriver } from '../../src/store/postgres/pg-driver.js';
import { testDatabaseUrl } from '../support/db.js';
import { ADMIN_TOKEN, uid } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { fetchPass, openPkpass, PASS_TYPE_ID, type PassHarness, startPassHarness } from './pass-harness.js';

const FAILURES = 4;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const registration = (device: string, serial: string) =>
  `/wallet/apple/v1/devices/${device}/registrations/${PASS_TYPE_ID}/${encodeURIComponent(serial)}`;
const passPath = (serial: string) => `/wallet/apple/v1/passes/${PASS_TYPE_ID}/${encodeURIComponent(serial)}`;

async function newProgram(h: PassHarness) {
  const res = await request(h.app)
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({ name: 'Shop', currency: 'USD' });
  const auth = { Authorization: `Bearer ${res.body.apiKey}` };
  await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Member' });
  return { id: res.body.program.id as string, auth };
}

/** A customer's pass: its serial and the token it carries. */
async function passOf(h: PassHarness, auth: { Authorization: string }, customerId: string) {
  await request(h.app).put(`/v1/customers/${customerId}`).set(auth).send({});
  const res = await fetchPass(h, `/v1/customers/${customerId}/passes/apple`, auth);
  expect(res.status).toBe(200);
  const { pass } = openPkpass(res.body as Buffer);
  return { serial: pass.serialNumber as string, token: pass.authenticationToken as string };
}

async function rowOf(url: string, serial: string): Promise<Record<string, unknown>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query('SELECT * FROM passes WHERE serial = $1', [serial]);
    return rows[0];
  } finally {
    await c.end();
  }
}

describe('pass tokens at rest', () => {
  let h: PassHarness;
  beforeAll(async () => {
    h = await startPassHarness();
  });
  afterAll(() => h.close());

  it('stores only the hash of a new pass token, which authenticates the device', async () => {
    const { auth } = await newProgram(h);
    const { serial, token } = await passOf(h, auth, uid('c'));
    const row = await rowOf(testDatabaseUrl(), serial);
    expect(row.auth_token_hash).toBe(sha256(token));
    expect(row.legacy_auth_token).toBeNull();
    expect(JSON.stringify(row)).not.toContain(token);
    expect(token.length).toBeGreaterThanOrEqual(16);

    const reg = await request(h.app)
      .post(registration('device-1', serial))
      .set('Authorization', `ApplePass ${token}`)
      .send({ pushToken: 'push-1' });
    expect(reg.status).toBe(201);
    // The rebuilt pass carries the same token.
    const again = await fetchPass(h, passPath(serial), { Authorization: `ApplePass ${token}` });
    expect(again.status).toBe(200);
    expect(openPkpass(again.body as Buffer).pass.authenticationToken).toBe(token);
    const wrong = await request(h.app)
      .post(registration('device-1', serial))
      .set('Authorization', `ApplePass ${sha256(token)}`)
      .send({ pushToken: 'push-1' });
    expect(wrong.status).toBe(401);
  });
});

describe('sealed legacy tokens', () => {
  it('open with the same secret only', () => {
    const seal = new PassTokenSeal('s'.repeat(32));
    const sealed = seal.seal('legacy-token-0123456789');
    expect(sealed).not.toContain('legacy-token');
    expect(seal.open(sealed)).toBe('legacy-token-0123456789');
    expect(seal.open('still-plain-token')).toBe('still-plain-token');
    expect(() => new PassTokenSeal('t'.repeat(32)).open(sealed)).toThrow();
  });
});

describe('migration 021 on passes issued before it', () => {
  it('hashes and seals their tokens, which still authenticate and stay in their rebuilt passes', async () => {
    const db = await createTempDatabase();
    let h: PassHarness | undefined;
    try {
      // The schema as it was before 021, and a pass issued then (random token, in plain text).
      const driver = createPgDriver({ connectionString: db.url });
      const before = (await loadMigrations()).filter((m) => m.version < 21);
      await migrate(driver, undefined, before);
      const programId = `prg_${uid('legacy')}`;
      const serial = `${programId}.legacyserial`;
      const token = 'legacy-random-token-0123456789';
      await driver.query(
        `INSERT INTO programs (id, name, mode, settings, created_at, updated_at)
         VALUES ($1, 'Old shop', 'live', '{"currency":"USD","earning":{"pointsPerUnit":1}}', now(), now())`,
        [programId],
      );
      await driver.query(
        `INSERT INTO customers (program_id, id, tier_since, carry_since, created_at, updated_at)
         VALUES ($1, 'old-customer', now(), now(), now(), now())`,
        [programId],
      );
      await driver.query(
        `INSERT INTO passes (program_id, customer_id, serial, auth_token, updated_at, created_at)
         VALUES ($1, 'old-customer', $2, $3, now(), now())`,
        [programId, serial, token],
      );
      await driver.close();

      h = await startPassHarness({ databaseUrl: db.url });
      const migrated = await rowOf(db.url, serial);
      expect(migrated.auth_token_hash).toBe(sha256(token));
      expect(migrated).not.toHaveProperty('auth_token');
      // The service seals the legacy token at start (main.ts); a second run has nothing left.
      expect(await h.passes.sealLegacyTokens()).toBe(1);
      expect(await h.passes.sealLegacyTokens()).toBe(0);
      const row = await rowOf(db.url, serial);
      expect(row.legacy_auth_token).toMatch(/^sealed\.v1\./);
      expect(JSON.stringify(row)).not.toContain(token);

      const reg = await request(h.app)
        .post(registration('old-device', serial))
        .set('Authorization', `ApplePass ${token}`)
        .send({ pushToken: 'push-old' });
      expect(reg.status).toBe(201);
      const pass = await fetchPass(h, passPath(serial), { Authorization: `ApplePass ${token}` });
      expect(pass.status).toBe(200);
      expect(openPkpass(pass.body as Buffer).pass.authenticationToken).toBe(token);
      const wrong = await fetchPass(h, passPath(serial), {
        Authorization: 'ApplePass legacy-random-token-x',
      });
      expect(wrong.status).toBe(401);
    } finally {
      await h?.close();
      await db.drop();
    }
  }, 60_000);
});

describe('rate limits of pass credentials', () => {
  let h: PassHarness;
  let auth: { Authorization: string };
  beforeAll(async () => {
    h = await startPassHarness({ trustProxy: true, rateLimits: { authFailures: FAILURES } });
    auth = (await newProgram(h)).auth;
  });
  afterAll(() => h.close());

  it('answers 429 after too many wrong pass tokens; the device with the right one is served', async () => {
    const { serial, token } = await passOf(h, auth, uid('c'));
    const attempt = (client: string, t: string) =>
      fetchPass(h, passPath(serial), { Authorization: `ApplePass ${t}`, 'X-Forwarded-For': client });
    for (let i = 0; i < FAILURES; i++) expect((await attempt('192.0.2.10', `guess-${i}`)).status).toBe(401);
    const limited = await attempt('192.0.2.10', 'guess');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse((limited.body as Buffer).toString()).error.code).toBe('rate_limited');
    expect((await attempt('192.0.2.10', token)).status).toBe(429);
    expect((await attempt('192.0.2.11', token)).status).toBe(200);
  });

  it('answers 429 after too many invalid shopper links; a real link opens from another client', async () => {
    const customerId = uid('shopper');
    await request(h.app).put(`/v1/customers/${customerId}`).set(auth).send({});
    const link = new URL(
      (await request(h.app).get(`/v1/customers/${customerId}/passes/link`).set(auth)).body.url,
    ).pathname;
    const open = (client: string, path: string) => request(h.app).get(path).set('X-Forwarded-For', client);
    for (let i = 0; i < FAILURES; i++) {
      const res = await open('192.0.2.20', `${link.slice(0, -3)}x${i}y`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('pass_link_invalid');
    }
    const limited = await open('192.0.2.20', `${link}=`);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await open('192.0.2.20', `${link}/apple.pkpass`)).status).toBe(429);
    expect((await open('192.0.2.21', link)).status).toBe(200);
  });
});
