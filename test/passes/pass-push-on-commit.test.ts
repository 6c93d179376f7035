/** Pushes dispatched right after the commit that queued them (main.ts: `pushOnCommit`). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { type ApnsStandIn, senderToStandIn, startApnsStandIn } from '../../scripts/lib/apns-stand-in.js';
import type { ApnsPushSender } from '../../src/integrations/apple/apns-push-sender.js';
import { ADMIN_TOKEN, uid } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { fetchPass, openPkpass, PASS_TYPE_ID, type PassHarness, startPassHarness } from './pass-harness.js';

let h: PassHarness | undefined;
let standIn: ApnsStandIn | undefined;
let sender: ApnsPushSender | undefined;
let scratch: string | undefined;
let ownDb: Awaited<ReturnType<typeof createTempDatabase>> | undefined;
const arrivals = new Map<string, () => void>();
/** `it` with ample room: each test builds and signs passes and waits for pushes on a loaded 2-core machine. */
const patientIt = (name: string, fn: () => Promise<void>) => it(name, fn, 120_000);

/** The harness, once beforeAll has made it. */
function harness(): PassHarness {
  if (!h) throw new Error('the pass harness did not start');
  return h;
}

// Generous: this makes a throwaway PKI with openssl twice (APNs stand-in, development signer),
// which takes many seconds on a busy 2-core machine.
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tierpass-apns-kick-'));
  const apns = await startApnsStandIn(scratch, (p) => arrivals.get(p.token)?.());
  standIn = apns;
  // Its own database: the outbox is global, and other files' dispatchers must not take its rows.
  // A PostgreSQL database of its own (not an in-memory PGlite, whose initdb alone took most of the
  // old 30 s hook budget on a loaded machine).
  ownDb = await createTempDatabase();
  h = await startPassHarness({
    pushOnCommit: true,
    databaseUrl: ownDb.url,
    pushSender: (certs) => {
      sender = senderToStandIn(apns, certs);
      return sender;
    },
  });
}, 180_000);
// Tolerates a beforeAll that failed half-way: closes whatever was started.
afterAll(async () => {
  await sender?.close();
  await standIn?.close();
  await h?.close();
  await ownDb?.drop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}, 60_000);

/** Pushes the APNs stand-in has received. */
function pushes() {
  if (!standIn) throw new Error('the APNs stand-in did not start');
  return standIn.pushes;
}

patientIt('pushes an upgraded customer without waiting for the scheduled dispatch', async () => {
  const { auth, members } = await programWithDevices('Kick', 1);
  const { customerId, pushToken } = members[0] as { customerId: string; pushToken: string };
  // Registering queues nothing: no push yet.
  expect(pushes().filter((p) => p.token === pushToken)).toHaveLength(0);

  const received = new Promise<void>((resolve) => arrivals.set(pushToken, resolve));
  const order = await request(harness().app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: uid('order'), customerId, amount: 5000 });
  expect(order.status).toBe(201);
  // No dispatch() call and no scheduler here: only the commit's kick can deliver it.
  await received;
  expect(pushes().filter((p) => p.token === pushToken)).toEqual([
    { token: pushToken, topic: PASS_TYPE_ID, body: '' },
  ]);
});

patientIt('pushes every customer of a burst of concurrent upgrades, each once', async () => {
  const { auth, members: customers } = await programWithDevices('Burst', 6);
  const received = customers.map((c) => new Promise<void>((resolve) => arrivals.set(c.pushToken, resolve)));
  // Commits land while a dispatch is already running: their kicks must not be lost.
  const orders = await Promise.all(
    customers.map((c) =>
      request(harness().app)
        .post('/v1/orders')
        .set(auth)
        .send({ id: uid('order'), customerId: c.customerId, amount: 5000 }),
    ),
  );
  for (const o of orders) expect(o.status).toBe(201);
  await Promise.all(received);
  // Nothing more arrives: one push per pass.
  await new Promise((r) => setTimeout(r, 300));
  for (const c of customers) expect(pushes().filter((p) => p.token === c.pushToken)).toHaveLength(1);
});

/** A program with Bronze (entry) and Gold, and `n` Bronze customers whose pass is on a device. */
async function programWithDevices(name: string, n: number) {
  const res = await request(harness().app)
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({ name, currency: 'EUR', earning: { pointsPerUnit: 1 } });
  const auth = { Authorization: `Bearer ${res.body.apiKey}` };
  const bronze = (await request(harness().app).post('/v1/tiers').set(auth).send({ title: 'Bronze' })).body
    .id as string;
  const gold = (
    await request(harness().app)
      .post('/v1/tiers')
      .set(auth)
      .send({ title: 'Gold', qualifications: [{ type: 'lifetimePoints', minPoints: 3000 }] })
  ).body.id as string;
  const members: { customerId: string; pushToken: string }[] = [];
  for (let i = 0; i < n; i++) {
    const customerId = uid('cust');
    await request(harness().app).put(`/v1/customers/${customerId}`).set(auth).send({ name: 'Ada' });
    const { pass } = openPkpass(
      (await fetchPass(harness(), `/v1/customers/${customerId}/passes/apple`, auth)).body,
    );
    const pushToken = Buffer.from(uid('tok')).toString('hex').padEnd(64, '0').slice(0, 64);
    const reg = await request(harness().app)
      .post(
        `/wallet/apple/v1/devices/${uid('device')}/registrations/${PASS_TYPE_ID}/${encodeURIComponent(pass.serialNumber)}`,
      )
      .set('Authorization', `ApplePass ${pass.authenticationToken}`)
      .send({ pushToken });
    expect(reg.status).toBe(201);
    members.push({ customerId, pushToken });
  }
  return { auth, bronze, gold, members };
}

patientIt("pushes a tier's members when its design changes, and only them", async () => {
  const { auth, bronze, gold, members } = await programWithDevices('Design', 2);
  // Gold has no members: its design reaches nobody's device.
  const goldDesign = await request(harness().app)
    .put(`/v1/tiers/${gold}/design`)
    .set(auth)
    .send({ backgroundColor: '#000' });
  expect(goldDesign.status).toBe(200);
  await new Promise((r) => setTimeout(r, 300));
  for (const m of members) expect(pushes().filter((p) => p.token === m.pushToken)).toHaveLength(0);

  const received = members.map((m) => new Promise<void>((resolve) => arrivals.set(m.pushToken, resolve)));
  const design = await request(harness().app)
    .put(`/v1/tiers/${bronze}/design`)
    .set(auth)
    .send({ backgroundColor: '#fc0' });
  expect(design.status).toBe(200);
  await Promise.all(received);
  const { pass } = openPkpass(
    (await fetchPass(harness(), `/v1/customers/${members[0]?.customerId}/passes/apple`, auth)).body,
  );
  expect(pass.backgroundColor).toBe('rgb(255, 204, 0)');
});

patientIt("pushes a tier's members when its artwork changes", async () => {
  const { auth, bronze, members } = await programWithDevices('Artwork', 1);
  const member = members[0] as { customerId: string; pushToken: string };
  const before = openPkpass(
    (await fetchPass(harness(), `/v1/customers/${member.customerId}/passes/apple`, auth)).body,
  );
  const received = new Promise<void>((resolve) => arrivals.set(member.pushToken, resolve));
  const logo = await sharp({ create: { width: 320, height: 100, channels: 3, background: '#c81e1e' } })
    .png()
    .toBuffer();
  const upload = await request(harness().app)
    .put(`/v1/tiers/${bronze}/artwork/logo`)
    .set(auth)
    .set('Content-Type', 'image/png')
    .send(logo);
  expect(upload.status).toBe(200);
  await received;
  const after = openPkpass(
    (await fetchPass(harness(), `/v1/customers/${member.customerId}/passes/apple`, auth)).body,
  );
  expect(after.files['logo.png']).toBeDefined();
  expect(after.files['logo.png']?.equals(before.files['logo.png'] ?? Buffer.alloc(0))).toBe(false);
});

patientIt("pushes every member's pass when another tier is renamed (progress names it)", async () => {
  const { auth, gold, members } = await programWithDevices('Rename', 1);
  const member = members[0] as { customerId: string; pushToken: string };
  const received = new Promise<void>((resolve) => arrivals.set(member.pushToken, resolve));
  const renamed = await request(harness().app)
    .patch(`/v1/tiers/${gold}`)
    .set(auth)
    .send({ title: 'Platinum' });
  expect(renamed.status).toBe(200);
  await received;
  const { pass } = openPkpass(
    (await fetchPass(harness(), `/v1/customers/${member.customerId}/passes/apple`, auth)).body,
  );
  expect(JSON.stringify(pass)).toContain('Platinum');
});
