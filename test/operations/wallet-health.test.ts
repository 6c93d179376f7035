/**
 * GET /v1/wallet/health against the real app: APNs pushes counted from real dispatches to the
 * local APNs stand-in (within the last 24 hours of the program's clock), passes and devices
 * from real registrations, Google objects and their last errors from the local Google stand-in,
 * and the certificate warning from a signer certificate made with openssl to expire in 10 days.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { type ApnsStandIn, senderToStandIn, startApnsStandIn } from '../../scripts/lib/apns-stand-in.js';
import type { WalletHealthView } from '../../src/features/wallet-health/wallet-health-schemas.js';
import type { ApnsPushSender } from '../../src/integrations/apple/apns-push-sender.js';
import { type GoogleHarness, startGoogleHarness } from '../google/google-harness.js';
import {
  createBronzeGoldProgram,
  fetchPass,
  openPkpass,
  PASS_TYPE_ID,
  type PassHarness,
  startPassHarness,
} from '../passes/pass-harness.js';
import { ADMIN_TOKEN, uid } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { makeExpiringPki } from './expiring-pki.js';

type Auth = { Authorization: string };
type App = PassHarness['app'];

async function health(app: App, auth: Auth): Promise<WalletHealthView> {
  const res = await request(app).get('/v1/wallet/health').set(auth);
  expect(res.status).toBe(200);
  return res.body;
}

/** A customer whose Apple pass is registered on `device` with `pushToken`. */
async function registeredPass(h: PassHarness, auth: Auth, device: string, pushToken: string) {
  const customerId = uid('cust');
  await request(h.app).put(`/v1/customers/${customerId}`).set(auth).send({ name: 'Ada' }).expect(201);
  const { pass } = openPkpass((await fetchPass(h, `/v1/customers/${customerId}/passes/apple`, auth)).body);
  const reg = await request(h.app)
    .post(
      `/wallet/apple/v1/devices/${device}/registrations/${PASS_TYPE_ID}/${encodeURIComponent(pass.serialNumber)}`,
    )
    .set('Authorization', `ApplePass ${pass.authenticationToken}`)
    .send({ pushToken });
  expect(reg.status).toBe(201);
  return customerId;
}

const pushToken = () => Buffer.from(uid('tok')).toString('hex').padEnd(64, '0').slice(0, 64);

describe('Apple: passes, devices and pushes', () => {
  let h: PassHarness;
  let standIn: ApnsStandIn;
  let sender: ApnsPushSender | undefined;
  let scratch: string;
  let db: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'tierpass-health-'));
    standIn = await startApnsStandIn(scratch);
    // Its own database: the outbox is global and this file's dispatcher must see only its rows.
    db = await createTempDatabase();
    h = await startPassHarness({
      databaseUrl: db.url,
      pushSender: (certs) => {
        sender = senderToStandIn(standIn, certs);
        return sender;
      },
    });
  }, 120_000);
  afterAll(async () => {
    await sender?.close();
    await standIn.close();
    await h?.close();
    await db?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('counts issued passes, devices and the pushes APNs accepted and refused in the last 24 hours', async () => {
    const res = await request(h.app)
      .post('/v1/programs')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({
        name: 'Rehearsal shop',
        currency: 'EUR',
        earning: { pointsPerUnit: 1 },
        mode: 'test',
        clockStart: '2026-03-01T10:00:00Z',
      });
    expect(res.status).toBe(201);
    const auth = { Authorization: `Bearer ${res.body.apiKey}` };
    await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Bronze' }).expect(201);

    const before = await health(h.app, auth);
    expect(before.apple).toMatchObject({
      configured: true,
      pushConfigured: true,
      passesIssued: 0,
      devicesRegistered: 0,
      pushesLast24h: { sent: 0, failed: 0 },
    });
    expect(before.google.configured).toBe(false);

    // Phone A holds two passes, phone B one (its token is gone at APNs); one pass is on no device.
    const [tokenA, tokenB] = [pushToken(), pushToken()];
    const [phoneA, phoneB] = [uid('device'), uid('device')];
    const a1 = await registeredPass(h, auth, phoneA, tokenA);
    const a2 = await registeredPass(h, auth, phoneA, tokenA);
    const b1 = await registeredPass(h, auth, phoneB, tokenB);
    const unregistered = uid('cust');
    await request(h.app).put(`/v1/customers/${unregistered}`).set(auth).send({}).expect(201);
    expect((await fetchPass(h, `/v1/customers/${unregistered}/passes/apple`, auth)).status).toBe(200);
    standIn.answer(tokenB, 410, 'Unregistered');

    for (const customerId of [a1, a2, b1]) {
      await request(h.app)
        .post(`/v1/customers/${customerId}/points`)
        .set(auth)
        .set('Idempotency-Key', uid('adj'))
        .send({ points: 100, reason: 'welcome' })
        .expect(201);
    }
    const report = await h.passPushes?.dispatch();
    expect(report).toMatchObject({ pushed: 3, unregistered: 1 });
    const tokensPushed = new Set(standIn.pushes.map((p) => p.token));
    expect(tokensPushed).toEqual(new Set([tokenA, tokenB]));

    const after = await health(h.app, auth);
    expect(after.asOf).toBe('2026-03-01T10:00:00.000Z');
    expect(after.apple).toMatchObject({
      passesIssued: 4,
      // Phone B's registration went with its gone token.
      devicesRegistered: 1,
      registrations: 2,
      pushesLast24h: { since: '2026-02-28T10:00:00.000Z', sent: 1, failed: 1 },
    });

    // Counted on the program's clock: two days later they are out of the window.
    await request(h.app).post('/v1/test-clock/advance').set(auth).send({ by: 'P2D' }).expect(200);
    expect((await health(h.app, auth)).apple.pushesLast24h).toMatchObject({ sent: 0, failed: 0 });
  });

  it('shows the development certificates, far from expiry, without a warning', async () => {
    const { Authorization } = await createBronzeGoldProgram(h);
    const view = await health(h.app, { Authorization });
    expect(view.apple.certificates.map((c) => c.name)).toEqual(['signerCert', 'wwdr']);
    for (const c of view.apple.certificates) {
      expect(c.daysLeft).toBeGreaterThan(30);
      expect(c.warning).toBeNull();
    }
    expect(view.apple.warning).toBeNull();
  });
});

describe('Apple: a signer certificate expiring within 30 days', () => {
  let h: PassHarness;
  let certs: string;

  beforeAll(async () => {
    certs = await mkdtemp(join(tmpdir(), 'tierpass-expiring-'));
    // The dev PKI, then the signer certificate issued again by its WWDR for 10 days only.
    await makeExpiringPki(certs, PASS_TYPE_ID, 10);
    h = await startPassHarness({ certsDir: certs });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await rm(certs, { recursive: true, force: true });
  });

  it('warns about the signer certificate and not about the WWDR', async () => {
    const auth = await createBronzeGoldProgram(h);
    const view = await health(h.app, auth);
    const [signer, wwdr] = view.apple.certificates;
    expect(signer).toMatchObject({ name: 'signerCert', daysLeft: expect.any(Number) });
    expect(signer?.daysLeft).toBeGreaterThanOrEqual(9);
    expect(signer?.daysLeft).toBeLessThanOrEqual(10);
    expect(signer?.warning).toMatch(/^signerCert \(.*\) expires in (9|10) days/);
    expect(wwdr?.warning).toBeNull();
    expect(view.apple.warning).toBe(signer?.warning);
  });
});

describe('Google: objects and their last errors', () => {
  let h: GoogleHarness;
  let db: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    db = await createTempDatabase();
    h = await startGoogleHarness({ databaseUrl: db.url });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await db?.drop();
  });

  it('counts objects by state and lists a refused update with its customer, error and time', async () => {
    const res = await request(h.app)
      .post('/v1/programs')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ name: 'Google shop', currency: 'USD', earning: { pointsPerUnit: 10 } });
    const auth = { Authorization: `Bearer ${res.body.apiKey}` };
    await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Bronze' }).expect(201);
    const [ok, refused] = [uid('cust'), uid('cust')];
    for (const id of [ok, refused]) {
      await request(h.app).put(`/v1/customers/${id}`).set(auth).send({ name: 'Grace' }).expect(201);
      await request(h.app).get(`/v1/customers/${id}/passes/google`).set(auth).expect(200);
    }
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('order'), customerId: refused, amount: 2000 })
      .expect(201);
    h.standIn.failNext(1, 400);
    expect(await h.dispatcher.dispatch()).toMatchObject({ failed: 1 });

    const stored = await h.store.scoped(res.body.program.id).googleWallet.object(refused);
    const view = await health(h.app, auth);
    expect(view.google).toEqual({
      configured: true,
      objects: { total: 2, synced: 1, pending: 0, failing: 1 },
      recentErrors: [
        {
          customerId: refused,
          objectId: stored?.objectId,
          error: stored?.lastError,
          at: stored?.lastErrorAt?.toISOString(),
        },
      ],
    });
    expect(view.google.recentErrors[0]?.error).toMatch(/400/);
    expect(view.apple.pushConfigured).toBe(false);
  });

  it("shows nothing of another program's objects", async () => {
    const res = await request(h.app)
      .post('/v1/programs')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ name: 'Other shop', currency: 'USD', earning: { pointsPerUnit: 10 } });
    const view = await health(h.app, { Authorization: `Bearer ${res.body.apiKey}` });
    expect(view.google.objects).toEqual({ total: 0, synced: 0, pending: 0, failing: 0 });
    expect(view.google.recentErrors).toEqual([]);
    expect(view.apple).toMatchObject({ passesIssued: 0, devicesRegistered: 0 });
  });
});
