/** The PassKit web service through HTTP: registrations, serials updated since a tag, latest pass, log. */
import request from 'supertest';
import { uid } from '../support/harness.js';
import {
  createBronzeGoldProgram,
  fetchPass,
  openPkpass,
  PASS_TYPE_ID,
  type PassHarness,
  startPassHarness,
} from './pass-harness.js';

let h: PassHarness;
let auth: { Authorization: string };

beforeAll(async () => {
  h = await startPassHarness();
});
afterAll(() => h.close());

beforeEach(async () => {
  auth = await createBronzeGoldProgram(h);
});

/** A customer with a pass: its serial and token as a device sees them in pass.json. */
async function customerPass(): Promise<{ customerId: string; serial: string; token: string }> {
  const customerId = uid('cust');
  await request(h.app).put(`/v1/customers/${customerId}`).set(auth).send({ name: 'Ada' });
  const res = await fetchPass(h, `/v1/customers/${customerId}/passes/apple`, auth);
  expect(res.status).toBe(200);
  const { pass } = openPkpass(res.body as Buffer);
  return { customerId, serial: pass.serialNumber, token: pass.authenticationToken };
}

const registration = (device: string, serial: string, type = PASS_TYPE_ID) =>
  `/wallet/apple/v1/devices/${encodeURIComponent(device)}/registrations/${type}/${encodeURIComponent(serial)}`;
const serialsOf = (device: string) =>
  `/wallet/apple/v1/devices/${encodeURIComponent(device)}/registrations/${PASS_TYPE_ID}`;
const passPath = (serial: string) => `/wallet/apple/v1/passes/${PASS_TYPE_ID}/${encodeURIComponent(serial)}`;

describe('PassKit web service', () => {
  it('registers a device (201, then 200), refuses wrong tokens, and unregisters', async () => {
    const { serial, token } = await customerPass();
    const device = uid('device');
    const register = (t: string, type = PASS_TYPE_ID) =>
      request(h.app)
        .post(registration(device, serial, type))
        .set('Authorization', `ApplePass ${t}`)
        .send({ pushToken: 'a'.repeat(64) });

    expect((await register(token)).status).toBe(201);
    expect((await register(token)).status).toBe(200);
    expect((await register(`${token}x`)).status).toBe(401);
    expect((await register(token, 'pass.other.type')).status).toBe(404);
    const unknown = await request(h.app)
      .post(registration(device, `${serial}x`))
      .set('Authorization', `ApplePass ${token}`)
      .send({ pushToken: 'b'.repeat(64) });
    expect(unknown.status).toBe(401);
    const bearer = await request(h.app)
      .post(registration(device, serial))
      .set('Authorization', `Bearer ${token}`)
      .send({ pushToken: 'b'.repeat(64) });
    expect(bearer.status).toBe(401);

    expect((await request(h.app).get(serialsOf(device))).status).toBe(200);
    const badDelete = await request(h.app)
      .delete(registration(device, serial))
      .set('Authorization', 'ApplePass wrong');
    expect(badDelete.status).toBe(401);
    const del = await request(h.app)
      .delete(registration(device, serial))
      .set('Authorization', `ApplePass ${token}`);
    expect(del.status).toBe(200);
    expect((await request(h.app).get(serialsOf(device))).status).toBe(204);
    // Registering again after unregistering is new.
    expect((await register(token)).status).toBe(201);
  });

  it('lists serials updated since a tag: 204 when nothing changed, the pass after an upgrade', async () => {
    const a = await customerPass();
    const b = await customerPass();
    const device = uid('device');
    for (const p of [a, b]) {
      const res = await request(h.app)
        .post(registration(device, p.serial))
        .set('Authorization', `ApplePass ${p.token}`)
        .send({ pushToken: 'c'.repeat(64) });
      expect(res.status).toBe(201);
    }

    const first = await request(h.app).get(serialsOf(device));
    expect(first.status).toBe(200);
    expect(first.body.serialNumbers.sort()).toEqual([a.serial, b.serial].sort());
    expect(first.body.lastUpdated).toMatch(/^s\d+$/);
    const tag = first.body.lastUpdated as string;
    const unchanged = await request(h.app).get(serialsOf(device)).query({ passesUpdatedSince: tag });
    expect(unchanged.status).toBe(204);

    // The order moves A to Gold; nothing fetched the pass since, the listing still sees it.
    const order = await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('order'), customerId: a.customerId, amount: 400000 });
    expect(order.status).toBe(201);
    const changed = await request(h.app).get(serialsOf(device)).query({ passesUpdatedSince: tag });
    expect(changed.status).toBe(200);
    expect(changed.body.serialNumbers).toEqual([a.serial]);
    expect(Number(changed.body.lastUpdated.slice(1))).toBeGreaterThan(Number(tag.slice(1)));
    const again = await request(h.app)
      .get(serialsOf(device))
      .query({ passesUpdatedSince: changed.body.lastUpdated });
    expect(again.status).toBe(204);

    // The device then fetches the new pass.
    const latest = await fetchPass(h, passPath(a.serial), { Authorization: `ApplePass ${a.token}` });
    expect(latest.status).toBe(200);
    expect(latest.headers['content-type']).toBe('application/vnd.apple.pkpass');
    expect(openPkpass(latest.body as Buffer).pass.storeCard.headerFields[0]).toMatchObject({ value: 'Gold' });
  });

  it('serves the latest pass with Last-Modified, 304 on If-Modified-Since, 401 on a bad token', async () => {
    const { serial, token } = await customerPass();
    const res = await fetchPass(h, passPath(serial), { Authorization: `ApplePass ${token}` });
    expect(res.status).toBe(200);
    const lastModified = res.headers['last-modified'] as string;
    expect(new Date(lastModified).getTime()).not.toBeNaN();
    expect(openPkpass(res.body as Buffer).pass.serialNumber).toBe(serial);

    const notModified = await fetchPass(h, passPath(serial), {
      Authorization: `ApplePass ${token}`,
      'If-Modified-Since': lastModified,
    });
    expect(notModified.status).toBe(304);
    expect((await fetchPass(h, passPath(serial), { Authorization: 'ApplePass nope' })).status).toBe(401);
    expect((await fetchPass(h, passPath(serial))).status).toBe(401);
    const otherType = await fetchPass(h, `/wallet/apple/v1/passes/pass.other/${encodeURIComponent(serial)}`, {
      Authorization: `ApplePass ${token}`,
    });
    expect(otherType.status).toBe(404);
  });

  it('accepts device logs', async () => {
    const res = await request(h.app)
      .post('/wallet/apple/v1/log')
      .send({ logs: ['Web service error for pass.test.tierpass (https://example): 401', 'x'.repeat(5000)] });
    expect(res.status).toBe(200);
    expect((await request(h.app).post('/wallet/apple/v1/log').send({ logs: 'nope' })).status).toBe(400);
  });
});
