import request from 'supertest';
import { createProgram, type Harness, type StoreKind, startHarness, uid } from '../support/harness.js';

let h: Harness;

/** The tiering HTTP tests, run on PostgreSQL (tiering.test.ts) and on the in-memory store (tiering.memory.test.ts). */
export function tieringTests(store: StoreKind): void {
  let auth: { Authorization: string };
  beforeAll(async () => {
    h = await startHarness({ store });
  });
  beforeEach(async () => {
    ({ auth } = await createProgram(h, { earning: { pointsPerUnit: 10 } }));
  });
  afterAll(() => h.close());

  async function tier(body: Record<string, unknown>): Promise<string> {
    const res = await request(h.app).post('/v1/tiers').set(auth).send(body);
    expect(res.status).toBe(201);
    return res.body.id;
  }

  describe('real-time upgrades (Keystone)', () => {
    it('places a new customer in the entry tier, upgrades on the qualifying order, multiplies afterwards, bonus once', async () => {
      const bronze = await tier({ title: 'Bronze' });
      const gold = await tier({
        title: 'Gold',
        qualifications: [{ type: 'lifetimePoints', minPoints: 1000 }],
        benefits: { tag: 'gold_tier', multiplier: 1.5, bonusPoints: 500, rewards: ['Free shipping'] },
      });
      const c = uid('c');
      const created = await request(h.app)
        .put(`/v1/customers/${c}`)
        .set(auth)
        .send({ tags: ['gold_tier'] });
      expect(created.body.tier).toEqual({ id: bronze, title: 'Bronze', visible: true });
      // A merchant tag equal to a tier's benefit tag never counts (and Gold has no tag condition anyway).
      expect(created.body.progress).toMatchObject({
        nextTierId: gold,
        missing: [{ type: 'lifetimePoints', missing: 1000, label: '1,000 points' }],
      });
      expect(created.body.progress.headline).toBe('1,000 points to Gold');

      const first = await request(h.app)
        .post('/v1/orders')
        .set(auth)
        .send({ id: uid('o'), customerId: c, amount: 10000 });
      expect(first.status).toBe(201);
      // The upgrading order earns at Bronze's rate; the bonus is spendable only.
      expect(first.body.entries).toEqual([
        expect.objectContaining({ type: 'earn', base: 1000, multiplier: 1, points: 1000 }),
        expect.objectContaining({
          type: 'bonus',
          points: 500,
          tierId: gold,
          delta: { current: 500, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 },
        }),
      ]);
      expect(first.body.tierChange).toEqual({
        fromTierId: bronze,
        toTierId: gold,
        direction: 'up',
        reason: 'qualified',
      });
      expect(first.body.customer).toMatchObject({
        tier: { id: gold },
        multiplier: 1.5,
        tierTags: ['gold_tier'],
      });
      expect(first.body.balances).toEqual({
        current: 1500,
        carry: 1000,
        lifetimeEarned: 1000,
        lifetimeSpend: 10000,
      });

      const second = await request(h.app)
        .post('/v1/orders')
        .set(auth)
        .send({ id: uid('o'), customerId: c, amount: 10000 });
      expect(second.body.entries).toEqual([
        expect.objectContaining({ type: 'earn', base: 1000, multiplier: 1.5, points: 1500 }),
      ]);

      const history = await request(h.app).get(`/v1/customers/${c}/tier-history`).set(auth);
      expect(history.status).toBe(200);
      expect(
        history.body.data.map((x: { reason: string; toTierId: string }) => [x.reason, x.toTierId]),
      ).toEqual([
        ['qualified', gold],
        ['qualified', bronze],
      ]);
      expect(history.body.data[0].facts.tiers[0]).toMatchObject({
        tierId: gold,
        test: 'qualifications',
        met: true,
      });
    });

    it('requires all three Gold qualifications (2 of 3 fails) with rolling order volume', async () => {
      await tier({ title: 'Bronze' });
      const gold = await tier({
        title: 'Gold',
        qualifications: [
          { type: 'tag', tag: 'email_subscriber' },
          { type: 'orderVolume', minAmount: 50000, window: 'P90D' },
          { type: 'lifetimePoints', minPoints: 5000 },
        ],
      });
      const c = uid('c');
      await request(h.app).put(`/v1/customers/${c}`).set(auth).send({}).expect(201);
      const big = await request(h.app)
        .post('/v1/orders')
        .set(auth)
        .send({ id: uid('o'), customerId: c, amount: 60000 });
      // $600 in 90 days and 6,000 points, but no email_subscriber tag: 2 of 3.
      expect(big.body.customer.tier.title).toBe('Bronze');
      expect(big.body.customer.progress).toMatchObject({
        nextTierId: gold,
        missing: [{ type: 'tag', tag: 'email_subscriber' }],
      });
      const tagged = await request(h.app)
        .put(`/v1/customers/${c}`)
        .set(auth)
        .send({ tags: ['email_subscriber'] });
      expect(tagged.body.tier.title).toBe('Gold');
    });

    it('drops a continuous-mode customer on a full refund', async () => {
      await tier({ title: 'Bronze' });
      await tier({ title: 'Silver', qualifications: [{ type: 'lifetimeSpend', minAmount: 40000 }] });
      const c = uid('c');
      await request(h.app).put(`/v1/customers/${c}`).set(auth).send({}).expect(201);
      const o = uid('o');
      const up = await request(h.app)
        .post('/v1/orders')
        .set(auth)
        .send({ id: o, customerId: c, amount: 40000 });
      expect(up.body.customer.tier.title).toBe('Silver');
      const refund = await request(h.app)
        .post(`/v1/orders/${o}/refunds`)
        .set(auth)
        .send({ id: uid('r'), amount: 40000 });
      expect(refund.body.tierChange).toMatchObject({ direction: 'down', reason: 'continuous' });
      expect(refund.body.customer.tier.title).toBe('Bronze');
    });

    it('never downgrades in a lifetime program', async () => {
      await request(h.app)
        .patch('/v1/program')
        .set(auth)
        .send({ retention: { mode: 'lifetime' } })
        .expect(200);
      await tier({ title: 'Bronze' });
      await tier({ title: 'Silver', qualifications: [{ type: 'lifetimeSpend', minAmount: 40000 }] });
      const c = uid('c');
      await request(h.app).put(`/v1/customers/${c}`).set(auth).send({}).expect(201);
      const o = uid('o');
      await request(h.app)
        .post('/v1/orders')
        .set(auth)
        .send({ id: o, customerId: c, amount: 40000 })
        .expect(201);
      const refund = await request(h.app)
        .post(`/v1/orders/${o}/refunds`)
        .set(auth)
        .send({ id: uid('r'), amount: 40000 });
      expect(refund.body.tierChange).toBeNull();
      expect(refund.body.customer.tier.title).toBe('Silver');
    });

    it('keeps Gold while redeeming every point (JeriCommerce)', async () => {
      await tier({ title: 'Bronze' });
      await tier({ title: 'Gold', qualifications: [{ type: 'lifetimePoints', minPoints: 2000 }] });
      const c = uid('c');
      await request(h.app).put(`/v1/customers/${c}`).set(auth).send({}).expect(201);
      await request(h.app)
        .post('/v1/orders')
        .set(auth)
        .send({ id: uid('o'), customerId: c, amount: 20000 })
        .expect(201);
      const spent = await request(h.app)
        .post(`/v1/customers/${c}/redemptions`)
        .set(auth)
        .set('Idempotency-Key', uid('k'))
        .send({ points: 2000, reward: 'Bag' });
      expect(spent.body.balances.current).toBe(0);
      expect(spent.body.customer.tier.title).toBe('Gold');
    });
  });
}
