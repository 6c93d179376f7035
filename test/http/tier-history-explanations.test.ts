/**
 * Tier history with titles and plain-words explanations, and the customer view's keep status in
 * cycle mode, on a test program in Europe/Berlin (dates are the program's calendar dates).
 */
import request from 'supertest';
import { createProgram, type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

type Auth = { Authorization: string };

async function send(auth: Auth, method: 'post' | 'put' | 'delete', path: string, body?: object) {
  const res = await request(h.app)[method](path).set(auth).send(body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function history(auth: Auth, id: string) {
  const res = await request(h.app).get(`/v1/customers/${id}/tier-history`).set(auth);
  expect(res.status).toBe(200);
  return res.body.data as Record<string, unknown>[];
}

it('names the tiers of each change, explains it from its facts, and says what keeps the tier', async () => {
  const { auth } = await createProgram(h, {
    mode: 'test',
    // 31 Jan 23:30 UTC is already 1 Feb in Berlin.
    clockStart: '2027-01-31T23:30:00Z',
    timezone: 'Europe/Berlin',
    earning: { pointsPerUnit: 10 },
    retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2027-01-01' } },
  });
  const bronze = (await send(auth, 'post', '/v1/tiers', { title: 'Bronze' })).id;
  const gold = (
    await send(auth, 'post', '/v1/tiers', {
      title: 'Gold',
      qualifications: [
        { type: 'orderVolume', minAmount: 100000, window: 'P90D' },
        { type: 'lifetimePoints', minPoints: 7500 },
      ],
      maintain: [{ type: 'orderVolume', minAmount: 100000, window: 'P30D' }],
    })
  ).id;
  await send(auth, 'put', '/v1/customers/ann', { email: 'ann@example.com' });
  await send(auth, 'post', '/v1/orders', { id: 'o-1', customerId: 'ann', amount: 110000 });

  const [up] = await history(auth, 'ann');
  expect(up).toMatchObject({
    fromTierId: bronze,
    toTierId: gold,
    fromTier: { id: bronze, title: 'Bronze', deleted: false },
    toTier: { id: gold, title: 'Gold', deleted: false },
    at: '2027-01-31T23:30:00.000Z',
    explanation:
      'Moved to Gold on 1 Feb 2027: $1,100.00 spent in the last 90 days (needs $1,000.00) and 11,000 lifetime points (needs 7,500).',
  });

  // Cycle mode: the maintain condition, judged as it will stand at the next boundary.
  const view = await request(h.app).get('/v1/customers/ann').set(auth);
  expect(view.body.keep).toEqual({
    boundaryAt: '2027-03-31T22:00:00.000Z',
    tierId: gold,
    met: false,
    missing: [{ type: 'orderVolume', missing: 100000, window: 'P30D', label: '$1,000.00 within 30 days' }],
    headline: '$1,000.00 within 30 days by 1 Apr 2027 to keep Gold',
  });
  // Event responses do not carry it (it needs a second order query).
  const order = await send(auth, 'post', '/v1/orders', { id: 'o-2', customerId: 'ann', amount: 100 });
  expect(order.customer.keep).toBeUndefined();

  await send(auth, 'post', '/v1/test-clock/advance', { to: '2027-04-01T06:00:00Z' });
  const [down] = await history(auth, 'ann');
  expect(down).toMatchObject({
    reason: 'cycle',
    fromTier: { title: 'Gold' },
    toTier: { title: 'Bronze' },
    explanation:
      'Moved down to Bronze on 1 Apr 2027 at the cycle boundary: the conditions to keep Gold were not met, with $0.00 spent in the last 30 days (needs $1,000.00).',
  });
  const kept = await request(h.app).get('/v1/customers/ann').set(auth);
  expect(kept.body.keep).toMatchObject({
    tierId: bronze,
    met: true,
    headline: 'Bronze is kept at the boundary on 1 Jul 2027',
  });

  // A deleted tier keeps its title, flagged.
  await send(auth, 'delete', `/v1/tiers/${gold}`);
  await send(auth, 'delete', `/v1/tiers/${bronze}`);
  const [gone, , upAgain] = await history(auth, 'ann');
  expect(gone).toMatchObject({
    reason: 'tier_deleted',
    fromTier: { id: bronze, title: 'Bronze', deleted: true },
    toTier: null,
    explanation: 'Left Bronze on 1 Apr 2027: Bronze was deleted, and no other tier is met.',
  });
  expect(upAgain).toMatchObject({ toTier: { id: gold, title: 'Gold', deleted: true } });
});

it('explains money in the program currency (JPY has no decimals)', async () => {
  const { auth } = await createProgram(h, {
    currency: 'JPY',
    timezone: 'Asia/Tokyo',
    earning: { pointsPerUnit: 1 },
  });
  await send(auth, 'post', '/v1/tiers', { title: 'Member' });
  await send(auth, 'post', '/v1/tiers', {
    title: 'VIP',
    qualifications: [{ type: 'largeOrder', minAmount: 5000 }],
  });
  await send(auth, 'put', '/v1/customers/ken', {});
  await send(auth, 'post', '/v1/orders', { id: 'k-1', customerId: 'ken', amount: 12000 });
  const [up, entry] = await history(auth, 'ken');
  expect(up?.explanation).toMatch(
    /^Moved to VIP on \d{1,2} \w{3,4} \d{4}: largest order ¥12,000 \(needs ¥5,000\)\.$/,
  );
  expect(entry?.explanation).toMatch(/^Moved to Member on .*: everyone qualifies for Member\.$/);
});
