/**
 * The "serials updated since" tag against the 1-second Last-Modified rule: a pass's updated_at
 * can run up to a second ahead of the clock, so a tag made of updated_at could sit above a later
 * change of another pass. Driven by a settable clock, not by load.
 */
import request from 'supertest';
import { programIdOfSerial } from '../../src/features/passes/pass-service.js';
import { fixedClock, uid } from '../support/harness.js';
import {
  createBronzeGoldProgram,
  fetchPass,
  openPkpass,
  PASS_TYPE_ID,
  type PassHarness,
  startPassHarness,
} from './pass-harness.js';

const S = new Date(Math.floor(Date.now() / 1000) * 1000);
const clock = fixedClock(S);
const sPlus = (ms: number) => new Date(S.getTime() + ms);
let h: PassHarness;
let auth: { Authorization: string };

beforeAll(async () => {
  h = await startPassHarness({ clock });
  auth = await createBronzeGoldProgram(h);
}, 120_000);
afterAll(() => h.close());

const serialsOf = (device: string) =>
  `/wallet/apple/v1/devices/${encodeURIComponent(device)}/registrations/${PASS_TYPE_ID}`;

async function registeredPass(device: string): Promise<{ customerId: string; serial: string }> {
  const customerId = uid('cust');
  await request(h.app).put(`/v1/customers/${customerId}`).set(auth).send({ name: 'Ada' });
  const res = await fetchPass(h, `/v1/customers/${customerId}/passes/apple`, auth);
  expect(res.status).toBe(200);
  const { pass } = openPkpass(res.body as Buffer);
  const registered = await request(h.app)
    .post(
      `/wallet/apple/v1/devices/${encodeURIComponent(device)}/registrations/${PASS_TYPE_ID}/${encodeURIComponent(pass.serialNumber)}`,
    )
    .set('Authorization', `ApplePass ${pass.authenticationToken}`)
    .send({ pushToken: 'c'.repeat(64) });
  expect(registered.status).toBe(201);
  return { customerId, serial: pass.serialNumber };
}

async function upgrade(customerId: string): Promise<void> {
  const order = await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: uid('order'), customerId, amount: 400000 });
  expect(order.status).toBe(201);
}

describe('"serials updated since" tag', () => {
  it('lists a change made after the tag even when its Last-Modified is not after the tag’s pass', async () => {
    const device = uid('device');
    const a = await registeredPass(device);
    const b = await registeredPass(device);
    const first = await request(h.app).get(serialsOf(device));
    expect(first.status).toBe(200);
    expect(first.body.serialNumbers.sort()).toEqual([a.serial, b.serial].sort());

    // B changes half a second later: its Last-Modified goes a second past its previous one,
    // ahead of the clock.
    clock.set(sPlus(500));
    await upgrade(b.customerId);
    const listedB = await request(h.app)
      .get(serialsOf(device))
      .query({ passesUpdatedSince: first.body.lastUpdated });
    expect(listedB.status).toBe(200);
    expect(listedB.body.serialNumbers).toEqual([b.serial]);
    const bPass = await h.store.scoped(programIdOfSerial(b.serial) ?? '').passes.getBySerial(b.serial);
    expect(bPass?.updatedAt.getTime()).toBeGreaterThan(sPlus(900).getTime());

    // A changes afterwards, at a clock time below B's updatedAt: the device must still hear of it.
    clock.set(sPlus(900));
    await upgrade(a.customerId);
    const listedA = await request(h.app)
      .get(serialsOf(device))
      .query({ passesUpdatedSince: listedB.body.lastUpdated });
    expect(listedA.status).toBe(200);
    expect(listedA.body.serialNumbers).toEqual([a.serial]);
    const again = await request(h.app)
      .get(serialsOf(device))
      .query({ passesUpdatedSince: listedA.body.lastUpdated });
    expect(again.status).toBe(204);
  });

  it('answers every serial to a tag of the old epoch-millisecond form (or any unknown form)', async () => {
    const device = uid('device');
    const a = await registeredPass(device);
    const b = await registeredPass(device);
    const current = await request(h.app).get(serialsOf(device));
    expect(current.body.lastUpdated).toMatch(/^s\d+$/);
    expect(
      (await request(h.app).get(serialsOf(device)).query({ passesUpdatedSince: current.body.lastUpdated }))
        .status,
    ).toBe(204);
    for (const old of [String(Date.now() + 86_400_000), 's', 'sx1', `s${'9'.repeat(16)}`]) {
      const res = await request(h.app).get(serialsOf(device)).query({ passesUpdatedSince: old });
      expect(res.status).toBe(200);
      expect(res.body.serialNumbers.sort()).toEqual([a.serial, b.serial].sort());
      expect(res.body.lastUpdated).toBe(current.body.lastUpdated);
    }
  });
});
