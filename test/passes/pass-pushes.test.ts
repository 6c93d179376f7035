/** Outbox → APNs: pushes reach a local HTTP/2 stand-in, devices then find and fetch the new pass. */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { PassPushDispatcher } from '../../src/features/passes/pass-push-dispatcher.js';
import { ApnsPushSender } from '../../src/integrations/apple/apns-push-sender.js';
import { ADMIN_TOKEN, uid } from '../support/harness.js';
import { type ApnsStandIn, startApnsStandIn } from './apns-stand-in.js';
import { fetchPass, openPkpass, PASS_TYPE_ID, type PassHarness, startPassHarness } from './pass-harness.js';

let h: PassHarness;
let standIn: ApnsStandIn;
let sender: ApnsPushSender | undefined;
let scratch: string;
let auth: { Authorization: string };
let dispatcher: PassPushDispatcher;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tierpass-apns-'));
  standIn = await startApnsStandIn(scratch);
  h = await startPassHarness({
    pushSender: (certs) => {
      sender = new ApnsPushSender({
        cert: readFileSync(join(certs, 'apnsCert.pem')),
        key: readFileSync(join(certs, 'apnsKey.pem')),
        production: false,
        address: '127.0.0.1',
        port: standIn.port,
        ca: [standIn.ca],
      });
      return sender;
    },
  });
  if (!h.passPushes) throw new Error('no push dispatcher');
  dispatcher = h.passPushes;
});
afterAll(async () => {
  await sender?.close();
  await standIn.close();
  await h.close();
  await rm(scratch, { recursive: true, force: true });
});

beforeEach(async () => {
  const res = await request(h.app)
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({ name: 'Maison Lumière', currency: 'EUR', earning: { pointsPerUnit: 1 } });
  auth = { Authorization: `Bearer ${res.body.apiKey}` };
  await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Bronze' });
  await request(h.app)
    .post('/v1/tiers')
    .set(auth)
    .send({ title: 'Gold', qualifications: [{ type: 'lifetimePoints', minPoints: 3000 }] });
});

/** A customer whose pass is registered on a device with `pushToken`. */
async function registeredPass(device: string, pushToken: string) {
  const customerId = uid('cust');
  await request(h.app).put(`/v1/customers/${customerId}`).set(auth).send({ name: 'Ada' });
  const res = await fetchPass(h, `/v1/customers/${customerId}/passes/apple`, auth);
  const { pass } = openPkpass(res.body as Buffer);
  const serial: string = pass.serialNumber;
  const reg = await request(h.app)
    .post(`/wallet/apple/v1/devices/${device}/registrations/${PASS_TYPE_ID}/${encodeURIComponent(serial)}`)
    .set('Authorization', `ApplePass ${pass.authenticationToken}`)
    .send({ pushToken });
  expect(reg.status).toBe(201);
  return { customerId, serial, token: pass.authenticationToken as string };
}

const order = (customerId: string, amount: number) =>
  request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: uid('order'), customerId, amount });
const serialsOf = (device: string) =>
  request(h.app).get(`/wallet/apple/v1/devices/${device}/registrations/${PASS_TYPE_ID}`);
const pushToken = () => Buffer.from(uid('tok')).toString('hex').padEnd(64, '0').slice(0, 64);

describe('pass pushes through the outbox', () => {
  it('pushes the devices of an upgraded customer, which then list and fetch the new pass', async () => {
    const device = uid('device');
    const token = pushToken();
    const { customerId, serial, token: authToken } = await registeredPass(device, token);
    const before = await serialsOf(device);
    expect(before.status).toBe(200);

    expect((await order(customerId, 400000)).status).toBe(201);
    const report = await dispatcher.dispatch();
    expect(report).toMatchObject({ pushed: 1, unregistered: 0 });
    const received = standIn.pushes.filter((p) => p.token === token);
    // node-apn sends an empty payload as an empty body (Wallet pushes carry no content).
    expect(received).toEqual([{ token, topic: PASS_TYPE_ID, body: '' }]);

    const listed = await serialsOf(device).query({ passesUpdatedSince: before.body.lastUpdated });
    expect(listed.status).toBe(200);
    expect(listed.body.serialNumbers).toEqual([serial]);
    const latest = await fetchPass(
      h,
      `/wallet/apple/v1/passes/${PASS_TYPE_ID}/${encodeURIComponent(serial)}`,
      {
        Authorization: `ApplePass ${authToken}`,
      },
    );
    expect(latest.status).toBe(200);
    expect(openPkpass(latest.body as Buffer).pass.storeCard.headerFields[0]).toMatchObject({ value: 'Gold' });

    // A second change within the minute is coalesced: no second push yet, the row waits.
    expect((await order(customerId, 1000)).status).toBe(201);
    expect(await dispatcher.dispatch()).toMatchObject({ pushed: 0, deferred: 1 });
    expect(standIn.pushes.filter((p) => p.token === token)).toHaveLength(1);
  });

  it('queues nothing for a customer whose pass is on no device', async () => {
    const customerId = uid('cust');
    await request(h.app).put(`/v1/customers/${customerId}`).set(auth).send({ name: 'Grace' });
    await fetchPass(h, `/v1/customers/${customerId}/passes/apple`, auth);
    await dispatcher.dispatch();
    const count = standIn.pushes.length;
    expect((await order(customerId, 400000)).status).toBe(201);
    expect(await dispatcher.dispatch()).toEqual({ pushed: 0, deferred: 0, unregistered: 0 });
    expect(standIn.pushes).toHaveLength(count);
  });

  it('removes a device APNs answers 410 Unregistered for', async () => {
    const device = uid('device');
    const token = pushToken();
    const { customerId } = await registeredPass(device, token);
    standIn.answer(token, 410, 'Unregistered');
    expect((await order(customerId, 5000)).status).toBe(201);
    expect(await dispatcher.dispatch()).toMatchObject({ unregistered: 1 });
    expect(standIn.pushes.some((p) => p.token === token)).toBe(true);
    expect((await serialsOf(device)).status).toBe(204);
  });

  it('retries later when APNs answers 503', async () => {
    const device = uid('device');
    const token = pushToken();
    const { customerId } = await registeredPass(device, token);
    standIn.answer(token, 503, 'ServiceUnavailable');
    expect((await order(customerId, 5000)).status).toBe(201);
    expect(await dispatcher.dispatch()).toMatchObject({ pushed: 0, deferred: 1 });
    // The registration stays; the row is due again after its backoff, not now.
    expect((await serialsOf(device)).status).toBe(200);
    expect(await dispatcher.dispatch()).toEqual({ pushed: 0, deferred: 0, unregistered: 0 });
  });

  it('delivers at the end of a test clock advance', async () => {
    const res = await request(h.app)
      .post('/v1/programs')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({
        name: 'Rehearsal',
        mode: 'test',
        clockStart: '2025-01-01T00:00:00Z',
        earning: { pointsPerUnit: 1 },
      });
    expect(res.status).toBe(201);
    auth = { Authorization: `Bearer ${res.body.apiKey}` };
    const device = uid('device');
    const token = pushToken();
    const { customerId } = await registeredPass(device, token);
    expect((await order(customerId, 5000)).status).toBe(201);
    const advance = await request(h.app)
      .post('/v1/test-clock/advance')
      .set(auth)
      .send({ to: '2025-01-02T00:00:00Z' });
    expect(advance.status).toBe(200);
    expect(standIn.pushes.filter((p) => p.token === token)).toHaveLength(1);
  });
});
