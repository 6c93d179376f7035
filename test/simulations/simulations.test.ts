/** POST /v1/simulations: a draft configuration against the program's real customers, no writes. */
import request from 'supertest';
import { simulationBody } from '../../src/features/simulations/simulation-schemas.js';
import { SimulationService } from '../../src/features/simulations/simulation-service.js';
import { createProgram, type Harness, startHarness, uid } from '../support/harness.js';

let h: Harness;
let auth: { Authorization: string };
let programId: string;
beforeAll(async () => {
  h = await startHarness();
});
beforeEach(async () => {
  ({ auth, programId } = await createProgram(h, { earning: { pointsPerUnit: 10 } }));
});
afterAll(() => h.close());

async function tier(body: Record<string, unknown>): Promise<string> {
  const res = await request(h.app).post('/v1/tiers').set(auth).send(body);
  expect(res.status).toBe(201);
  return res.body.id;
}

async function customer(opts: { tags?: string[]; orders?: number[] } = {}): Promise<string> {
  const id = uid('c');
  await request(h.app)
    .put(`/v1/customers/${id}`)
    .set(auth)
    .send({ tags: opts.tags ?? [] })
    .expect(201);
  for (const amount of opts.orders ?? []) {
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('o'), customerId: id, amount })
      .expect(201);
  }
  return id;
}

/** Everything a simulation could change: tiers, and each customer's state, ledger and history. */
async function snapshot(ids: string[]) {
  const tiers = (await request(h.app).get('/v1/tiers').set(auth)).body;
  const customers = [];
  for (const id of ids) {
    customers.push({
      view: (await request(h.app).get(`/v1/customers/${id}`).set(auth)).body,
      ledger: (await request(h.app).get(`/v1/customers/${id}/ledger`).set(auth)).body,
      history: (await request(h.app).get(`/v1/customers/${id}/tier-history`).set(auth)).body,
    });
  }
  return { tiers, customers };
}

const simulate = (body: Record<string, unknown>) =>
  request(h.app).post('/v1/simulations').set(auth).send(body);

describe('POST /v1/simulations', () => {
  let bronze: string;
  let silver: string;
  let ids: string[];
  beforeEach(async () => {
    bronze = await tier({ title: 'Bronze' });
    silver = await tier({ title: 'Silver', qualifications: [{ type: 'lifetimeSpend', minAmount: 40_000 }] });
    ids = [
      await customer(),
      await customer({ orders: [25_000] }),
      await customer({ orders: [20_000, 25_000] }),
      await customer({ orders: [70_000] }),
      await customer({ tags: ['vip'] }),
    ];
  });

  const draft = () => [
    { id: bronze, title: 'Bronze' },
    { id: silver, title: 'Silver', qualifications: [{ type: 'lifetimeSpend', minAmount: 20_000 }] },
    {
      title: 'Gold',
      qualifications: [
        { type: 'largeOrder', minAmount: 60_000 },
        { type: 'orderVolume', minAmount: 60_000, window: 'P30D' },
      ],
    },
    { title: 'VIP', qualifications: [{ type: 'tag', tag: 'vip' }], benefits: { tag: 'vip_tier' } },
  ];

  it('returns current and simulated distributions and writes nothing', async () => {
    const before = await snapshot(ids);
    const res = await simulate({ tiers: draft() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      customers: 5,
      current: { [bronze]: 3, [silver]: 2, none: 0 },
      simulated: { [bronze]: 1, [silver]: 2, 'draft-2': 1, 'draft-3': 1, none: 0 },
      qualified: { [bronze]: 1, [silver]: 2, 'draft-2': 1, 'draft-3': 1, none: 0 },
      changed: 3,
      warnings: [],
    });
    // Only changes: the customers who stay in Bronze or Silver are no "move".
    expect(res.body.moves).toEqual(
      [
        { from: bronze, fromTitle: 'Bronze', to: 'draft-3', toTitle: 'VIP', customers: 1 },
        { from: bronze, fromTitle: 'Bronze', to: silver, toTitle: 'Silver', customers: 1 },
        { from: silver, fromTitle: 'Silver', to: 'draft-2', toTitle: 'Gold', customers: 1 },
      ].sort((a, b) => b.customers - a.customers || a.from.localeCompare(b.from) || a.to.localeCompare(b.to)),
    );
    expect(res.body.moves.every((m: { from: string; to: string }) => m.from !== m.to)).toBe(true);
    expect(res.body.currentTiers).toEqual([
      { id: bronze, title: 'Bronze', customers: 3 },
      { id: silver, title: 'Silver', customers: 2 },
      { id: null, title: null, customers: 0 },
    ]);
    expect(res.body.simulatedTiers).toEqual([
      { id: bronze, title: 'Bronze', customers: 1 },
      { id: silver, title: 'Silver', customers: 2 },
      { id: 'draft-2', title: 'Gold', customers: 1 },
      { id: 'draft-3', title: 'VIP', customers: 1 },
      { id: null, title: null, customers: 0 },
    ]);
    const tiersNow = await request(h.app).get('/v1/tiers').set(auth);
    expect(res.body.tiersVersion).toBe(tiersNow.body.version);
    expect(res.body.tiers.map((t: { id: string; existing: boolean }) => [t.id, t.existing])).toEqual([
      [bronze, true],
      [silver, true],
      ['draft-2', false],
      ['draft-3', false],
    ]);
    expect(await snapshot(ids)).toEqual(before);
  });

  it('lists who would move, by customer id, in bounded pages with titles', async () => {
    for (const [i, id] of ids.entries()) {
      await request(h.app)
        .put(`/v1/customers/${id}`)
        .set(auth)
        .send({ email: `m${i}@example.com`, name: `Member ${i}` })
        .expect(200);
    }
    const all = (await simulate({ tiers: draft() })).body;
    expect(all.movers.nextCursor).toBeNull();
    expect(all.movers.data).toHaveLength(all.changed);
    const sorted = [...all.movers.data].sort((a, b) => a.customerId.localeCompare(b.customerId));
    expect(all.movers.data).toEqual(sorted);
    // Each mover agrees with the counted moves, never stays in place, and is named with titles.
    for (const m of all.movers.data) {
      expect(m.from?.id).not.toBe(m.to?.id);
      const i = ids.indexOf(m.customerId);
      expect(m).toMatchObject({ email: `m${i}@example.com`, name: `Member ${i}` });
    }
    const tally = new Map<string, number>();
    for (const m of all.movers.data) {
      const key = `${m.from?.title}→${m.to?.title}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(tally)).toEqual(
      Object.fromEntries(
        all.moves.map((m: { fromTitle: string; toTitle: string; customers: number }) => [
          `${m.fromTitle}→${m.toTitle}`,
          m.customers,
        ]),
      ),
    );
    // Pages of 2: the same movers in the same order, then the end.
    const first = (await simulate({ tiers: draft(), moversLimit: 2 })).body.movers;
    expect(first.data).toEqual(all.movers.data.slice(0, 2));
    expect(first.nextCursor).toBe(all.movers.data[1].customerId);
    const second = (await simulate({ tiers: draft(), moversLimit: 2, moversCursor: first.nextCursor })).body
      .movers;
    expect(second).toEqual({ data: all.movers.data.slice(2), nextCursor: null });
    for (const bad of [
      { moversLimit: 0 },
      { moversLimit: 201 },
      { moversLimit: 1.5 },
      { moversCursor: '' },
    ]) {
      expect((await simulate({ tiers: draft(), ...bad })).status).toBe(400);
    }
  });

  it('pages through customers (page size 2) with the same result', async () => {
    const scope = h.store.scoped(programId);
    const program = await scope.program.get();
    const http = (await simulate({ tiers: draft() })).body;
    const ctx = { program, scope, now: new Date(http.asOf) };
    const paged = await new SimulationService(h.store, 2).simulate(
      ctx,
      simulationBody.parse({ tiers: draft() }),
    );
    expect(paged).toEqual(http);
  });

  it('applies retention to tiers carried over by id: lifetime keeps them, continuous re-judges', async () => {
    await request(h.app)
      .patch('/v1/program')
      .set(auth)
      .send({ retention: { mode: 'lifetime' } })
      .expect(200);
    const stricter = [
      { id: bronze, title: 'Bronze' },
      { id: silver, title: 'Silver', qualifications: [{ type: 'lifetimeSpend', minAmount: 80_000 }] },
    ];
    const kept = await simulate({ tiers: stricter });
    expect(kept.body.simulated).toEqual({ [bronze]: 3, [silver]: 2, none: 0 });
    expect(kept.body.qualified).toEqual({ [bronze]: 5, [silver]: 0, none: 0 });
    const judged = await simulate({ tiers: stricter, retention: { mode: 'continuous' } });
    expect(judged.body.simulated).toEqual({ [bronze]: 5, [silver]: 0, none: 0 });
    // New ids: nobody holds them yet, so everyone is placed by qualifications.
    const fresh = await simulate({ tiers: stricter.map(({ id: _id, ...t }) => t) });
    expect(fresh.body.simulated).toEqual({ 'draft-0': 5, 'draft-1': 0, none: 0 });
    expect(fresh.body.changed).toBe(5);
  });

  it('simulates while tiers are switched off for the program (test before launch)', async () => {
    await request(h.app).patch('/v1/program').set(auth).send({ tiersEnabled: false }).expect(200);
    const res = await simulate({ tiers: draft() });
    expect(res.body.simulated).toMatchObject({ [silver]: 2, 'draft-2': 1, 'draft-3': 1 });
  });

  it('counts customers without a tier under "none" and warns about a ladder without an entry tier', async () => {
    const res = await simulate({
      tiers: [{ title: 'Only', qualifications: [{ type: 'lifetimeSpend', minAmount: 40_000 }] }],
    });
    expect(res.status).toBe(200);
    expect(res.body.simulated).toEqual({ 'draft-0': 2, none: 3 });
    expect(res.body.warnings).toEqual([
      expect.objectContaining({ code: 'no_entry_tier', path: 'body.tiers' }),
    ]);
  });
});

describe('POST /v1/simulations: draft validation', () => {
  const simulateDraft = (tiers: unknown, extra: Record<string, unknown> = {}) =>
    simulate({ tiers, ...extra });

  it('refuses an impossible configuration with details (400 invalid_configuration)', async () => {
    const res = await simulateDraft([
      { title: 'Base', benefits: { tag: 'gold_tier' } },
      {
        title: 'Gold',
        qualifications: [
          { type: 'orderVolume', minAmount: 50_000, window: 'P90D' },
          { type: 'tag', tag: 'gold_tier' },
        ],
        maintain: [{ type: 'orderVolume', minAmount: 80_000, window: 'P90D' }],
      },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_configuration');
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'body.tiers.1.qualifications.1.tag', code: 'tag_is_tier_tag' }),
        expect.objectContaining({ path: 'body.tiers.1.maintain.0', code: 'maintain_above_qualification' }),
      ]),
    );
  });

  it('refuses duplicate ids, the reserved id "none", unknown fields and an incomplete retention', async () => {
    const dup = await simulateDraft([
      { id: 'a', title: 'A' },
      { id: 'a', title: 'B' },
    ]);
    expect(dup.status).toBe(400);
    expect(dup.body.error.details).toEqual([
      expect.objectContaining({ path: 'body.tiers.1.id', code: 'tier_id_duplicate' }),
    ]);
    const reserved = await simulateDraft([{ id: 'none', title: 'A' }]);
    expect(reserved.status).toBe(400);
    expect(reserved.body.error).toMatchObject({ code: 'validation_failed' });
    expect(reserved.body.error.details[0].path).toBe('body.tiers.0.id');
    const typo = await simulateDraft([{ title: 'A', qualification: [] }]);
    expect(typo.status).toBe(400);
    expect(typo.body.error.code).toBe('validation_failed');
    const cents = await simulateDraft([
      { title: 'A', qualifications: [{ type: 'largeOrder', minAmount: 10.5 }] },
    ]);
    expect(cents.body.error.details[0].path).toBe('body.tiers.0.qualifications.0.minAmount');
    const empty = await simulateDraft([]);
    expect(empty.status).toBe(400);
    const cycle = await simulateDraft([{ title: 'A' }], { retention: { mode: 'cycle' } });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.details[0].path).toBe('body.retention.cycle');
  });
});
