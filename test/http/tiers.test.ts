import request from 'supertest';
import { createProgram, type Harness, startHarness } from '../support/harness.js';

let h: Harness;
let auth: { Authorization: string };
beforeAll(async () => {
  h = await startHarness();
});
beforeEach(async () => {
  ({ auth } = await createProgram(h));
});
afterAll(() => h.close());

const gold = {
  title: 'Gold',
  icon: 'crown',
  qualifications: [
    { type: 'tag', tag: 'email_subscriber' },
    { type: 'orderVolume', minAmount: 50000, window: 'P90D' },
    { type: 'lifetimePoints', minPoints: 5000 },
  ],
  benefits: { tag: 'gold_tier', multiplier: 1.5, bonusPoints: 500, rewards: ['Free shipping'] },
};

describe('tiers CRUD', () => {
  it('creates with defaults, reads, patches and deletes', async () => {
    const created = await request(h.app).post('/v1/tiers').set(auth).send(gold);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^tier_/),
      rank: 0,
      visible: true,
      enabled: true,
      maintain: null,
      design: {},
      ...gold,
    });
    const id = created.body.id as string;
    expect((await request(h.app).get(`/v1/tiers/${id}`).set(auth)).body.title).toBe('Gold');

    const patched = await request(h.app)
      .patch(`/v1/tiers/${id}`)
      .set(auth)
      .send({ visible: false, benefits: { multiplier: 2 } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      visible: false,
      benefits: { multiplier: 2 },
      qualifications: gold.qualifications,
    });

    expect((await request(h.app).delete(`/v1/tiers/${id}`).set(auth)).status).toBe(204);
    expect((await request(h.app).get(`/v1/tiers/${id}`).set(auth)).status).toBe(404);
    expect((await request(h.app).delete(`/v1/tiers/${id}`).set(auth)).status).toBe(404);
    expect((await request(h.app).get('/v1/tiers').set(auth)).body.data).toEqual([]);
  });

  it('keeps an entry tier with no qualifications', async () => {
    const res = await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Bronze' });
    expect(res.status).toBe(201);
    expect(res.body.qualifications).toEqual([]);
  });

  it.each([
    [{ title: '' }, 'body.title'],
    [{ title: 'X', qualifications: [{ type: 'lifetimePoints' }] }, 'body.qualifications.0.minPoints'],
    [{ title: 'X', qualifications: [{ type: 'vibes', level: 3 }] }, 'body.qualifications.0.type'],
    [
      { title: 'X', qualifications: [{ type: 'orderVolume', minAmount: 100, window: 'P0D' }] },
      'body.qualifications.0.window',
    ],
    [
      { title: 'X', qualifications: [{ type: 'orderVolume', minAmount: 100, window: '90 days' }] },
      'body.qualifications.0.window',
    ],
    [
      { title: 'X', qualifications: [{ type: 'largeOrder', minAmount: 10.5 }] },
      'body.qualifications.0.minAmount',
    ],
    [
      { title: 'X', qualifications: [{ type: 'lifetimeSpend', minAmount: -1 }] },
      'body.qualifications.0.minAmount',
    ],
    [{ title: 'X', benefits: { multiplier: 0 } }, 'body.benefits.multiplier'],
    [{ title: 'X', benefits: { multiplier: -1.5 } }, 'body.benefits.multiplier'],
    [{ title: 'X', benefits: { bonusPoints: 1.5 } }, 'body.benefits.bonusPoints'],
    [{ title: 'X', benefits: { cashback: 5 } }, 'body.benefits'],
    [{ title: 'X', visible: 'yes' }, 'body.visible'],
  ])('refuses %j naming %s, writing nothing', async (body, path) => {
    const res = await request(h.app).post('/v1/tiers').set(auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect((await request(h.app).get('/v1/tiers').set(auth)).body.data).toEqual([]);
  });

  it('refuses more than 20 tiers with 422', async () => {
    for (let i = 0; i < 20; i++)
      await request(h.app)
        .post('/v1/tiers')
        .set(auth)
        .send({ title: `T${i}` })
        .expect(201);
    const res = await request(h.app).post('/v1/tiers').set(auth).send({ title: 'T20' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('tier_limit_reached');
  });
});

describe('PUT /v1/tiers/order', () => {
  async function three(): Promise<string[]> {
    const ids: string[] = [];
    for (const title of ['Bronze', 'Silver', 'Gold']) {
      ids.push((await request(h.app).post('/v1/tiers').set(auth).send({ title })).body.id);
    }
    return ids;
  }

  it('reorders all tiers atomically', async () => {
    const [bronze, silver, goldId] = await three();
    const res = await request(h.app)
      .put('/v1/tiers/order')
      .set(auth)
      .send({ tierIds: [silver, bronze, goldId] });
    expect(res.status).toBe(200);
    expect(res.body.data.map((t: { title: string; rank: number }) => [t.title, t.rank])).toEqual([
      ['Silver', 0],
      ['Bronze', 1],
      ['Gold', 2],
    ]);
    const list = await request(h.app).get('/v1/tiers').set(auth);
    expect(list.body.data.map((t: { title: string }) => t.title)).toEqual(['Silver', 'Bronze', 'Gold']);
  });

  it.each([
    ['an unknown id', (ids: string[]) => [ids[0], ids[1], 'tier_nope'], 'unknown_tier'],
    ['a missing id', (ids: string[]) => [ids[0], ids[1]], 'missing_tier'],
    ['a duplicate', (ids: string[]) => [ids[0], ids[0], ids[1], ids[2]], 'duplicate'],
  ])('refuses %s and keeps the order', async (_label, make, code) => {
    const ids = await three();
    const res = await request(h.app)
      .put('/v1/tiers/order')
      .set(auth)
      .send({ tierIds: make(ids) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_tier_order');
    expect(res.body.error.details.map((d: { code: string }) => d.code)).toContain(code);
    const list = await request(h.app).get('/v1/tiers').set(auth);
    expect(list.body.data.map((t: { id: string }) => t.id)).toEqual(ids);
  });
});

describe('impossible configurations', () => {
  it('refuses maintain conditions above the qualification, naming the tier', async () => {
    const res = await request(h.app)
      .post('/v1/tiers')
      .set(auth)
      .send({
        title: 'Gold',
        qualifications: [{ type: 'orderVolume', minAmount: 60000, window: 'P12M' }],
        maintain: [{ type: 'orderVolume', minAmount: 80000, window: 'P12M' }],
      });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_configuration');
    expect(res.body.error.details[0]).toMatchObject({ code: 'maintain_above_qualification' });
    expect(res.body.error.details[0].path).toMatch(/^tiers\.tier_[0-9a-f]+\.maintain\[0\]$/);
    expect((await request(h.app).get('/v1/tiers').set(auth)).body.data).toEqual([]);
  });

  it('refuses a patch that makes the configuration impossible and keeps the tier', async () => {
    const created = await request(h.app)
      .post('/v1/tiers')
      .set(auth)
      .send({ title: 'Silver', qualifications: [{ type: 'lifetimeSpend', minAmount: 40000 }] });
    const res = await request(h.app)
      .patch(`/v1/tiers/${created.body.id}`)
      .set(auth)
      .send({ maintain: [{ type: 'lifetimeSpend', minAmount: 50000 }] });
    expect(res.status).toBe(400);
    expect((await request(h.app).get(`/v1/tiers/${created.body.id}`).set(auth)).body.maintain).toBeNull();
  });
});

describe('tier design on create and patch', () => {
  it('validates and normalises the design as PUT /design does', async () => {
    const created = await request(h.app)
      .post('/v1/tiers')
      .set(auth)
      .send({ ...gold, design: { backgroundColor: '#fc0', labels: { points: 'Stars' } } });
    expect(created.status).toBe(201);
    expect(created.body.design).toEqual({ backgroundColor: 'rgb(255, 204, 0)', labels: { points: 'Stars' } });
    const patched = await request(h.app)
      .patch(`/v1/tiers/${created.body.id}`)
      .set(auth)
      .send({ design: { foregroundColor: 'rgb(1, 2, 3)' } });
    expect(patched.status).toBe(200);
    expect(patched.body.design).toEqual({ foregroundColor: 'rgb(1, 2, 3)' });
  });

  it('refuses unknown design fields and bad colours, writing nothing', async () => {
    const bad = await request(h.app)
      .post('/v1/tiers')
      .set(auth)
      .send({ ...gold, design: { backgroundColour: '#fc0' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect((await request(h.app).get('/v1/tiers').set(auth)).body.data).toEqual([]);

    const created = await request(h.app).post('/v1/tiers').set(auth).send(gold);
    const badPatch = await request(h.app)
      .patch(`/v1/tiers/${created.body.id}`)
      .set(auth)
      .send({ title: 'Renamed', design: { labelColor: 'gold' } });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.error.code).toBe('validation_failed');
    const after = await request(h.app).get(`/v1/tiers/${created.body.id}`).set(auth);
    expect(after.body.title).toBe('Gold');
    expect(after.body.design).toEqual({});
  });
});
