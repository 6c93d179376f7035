/**
 * PUT /v1/tiers: the whole tier set replaced in one step. Checked as a simulation checks a draft,
 * all or nothing, refused on a stale version, and followed by the same re-placement the
 * single-tier routes cause.
 */
import request from 'supertest';
import {
  createProgram,
  createTier,
  type Harness,
  type StoreKind,
  startHarness,
  uid,
} from '../support/harness.js';

/** The tier set tests, run on PostgreSQL (tier-set.test.ts) and on the in-memory store (tier-set.memory.test.ts). */
export function tierSetTests(store: StoreKind): void {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store });
  });
  afterAll(() => h.close());

  type Auth = { Authorization: string };

  const tier = (auth: Auth, body: Record<string, unknown>) => createTier(h, auth, body);

  async function customer(auth: Auth, id: string, amount: number): Promise<void> {
    await request(h.app)
      .put(`/v1/customers/${id}`)
      .set(auth)
      .send({ email: `${id}@example.com` })
      .expect(201);
    if (amount > 0) {
      await request(h.app)
        .post('/v1/orders')
        .set(auth)
        .send({ id: uid('o'), customerId: id, amount })
        .expect(201);
    }
  }

  async function tiersOf(auth: Auth) {
    return (await request(h.app).get('/v1/tiers').set(auth)).body as {
      data: { id: string; title: string; enabled: boolean; qualifications: unknown[]; design: unknown }[];
      version: string;
    };
  }

  async function tierOfCustomer(auth: Auth, id: string): Promise<string | null> {
    const res = await request(h.app).get(`/v1/customers/${id}`).set(auth);
    return res.body.tier?.title ?? null;
  }

  /** A program with Bronze (entry), Silver (spend 400) and Gold (spend 1,000) and three customers. */
  async function seeded() {
    const { auth, programId } = await createProgram(h, { retention: { mode: 'lifetime' } });
    const bronze = await tier(auth, { title: 'Bronze' });
    const silver = await tier(auth, {
      title: 'Silver',
      qualifications: [{ type: 'lifetimeSpend', minAmount: 40_000 }],
      design: { backgroundColor: '#c0c0c0' },
    });
    const gold = await tier(auth, {
      title: 'Gold',
      qualifications: [{ type: 'lifetimeSpend', minAmount: 100_000 }],
    });
    const ids = ['c-low', 'c-mid', 'c-high'];
    await customer(auth, ids[0] as string, 10_000);
    await customer(auth, ids[1] as string, 50_000);
    await customer(auth, ids[2] as string, 120_000);
    return { auth, programId, bronze, silver, gold, ids };
  }

  it('replaces the set: keeps listed ids, creates new tiers, deletes the rest, reassigns members at once', async () => {
    const { auth, programId, bronze, silver, gold } = await seeded();
    expect(await tierOfCustomer(auth, 'c-high')).toBe('Gold');
    const { version } = await tiersOf(auth);
    const res = await request(h.app)
      .put('/v1/tiers')
      .set(auth)
      .send({
        expectedVersion: version,
        tiers: [
          { id: bronze, title: 'Bronze' },
          { id: silver, title: 'Silver+', qualifications: [{ type: 'lifetimeSpend', minAmount: 30_000 }] },
          { title: 'Platinum', qualifications: [{ type: 'lifetimeSpend', minAmount: 110_000 }] },
        ],
      });
    expect(res.status).toBe(200);
    expect(res.body.data.map((t: { title: string }) => t.title)).toEqual(['Bronze', 'Silver+', 'Platinum']);
    expect(res.body.deleted).toEqual([gold]);
    expect(res.body.created).toEqual([res.body.data[2].id]);
    expect(res.body.resync).toBe('immediate');
    expect(res.body.version).toBe((await tiersOf(auth)).version);
    expect(res.body.version).not.toBe(version);
    // A kept tier keeps its pass design when the body leaves it out.
    expect(res.body.data[1].design).toMatchObject({ backgroundColor: 'rgb(192, 192, 192)' });
    // Gold's member is reassigned at once (tier_deleted), to the highest tier they now qualify for.
    expect(await tierOfCustomer(auth, 'c-high')).toBe('Platinum');
    const history = await request(h.app).get('/v1/customers/c-high/tier-history').set(auth);
    expect(history.body.data[0]).toMatchObject({ fromTierId: gold, reason: 'tier_deleted' });
    // Every pass is refreshed; the resync is not left pending.
    expect((await h.store.scoped(programId).program.schedule()).resyncDueAt).toBeNull();
  });

  it('schedules the same resync as the single-tier routes: debounced after edits, at once after a disable', async () => {
    const { auth, programId, bronze, silver, gold } = await seeded();
    const { version } = await tiersOf(auth);
    const edit = await request(h.app)
      .put('/v1/tiers')
      .set(auth)
      .send({
        expectedVersion: version,
        tiers: [
          { id: bronze, title: 'Bronze' },
          { id: silver, title: 'Silver', qualifications: [{ type: 'lifetimeSpend', minAmount: 45_000 }] },
          { id: gold, title: 'Gold', qualifications: [{ type: 'lifetimeSpend', minAmount: 100_000 }] },
        ],
      });
    expect(edit.body.resync).toBe('debounced');
    expect((await h.store.scoped(programId).program.schedule()).resyncDueAt).not.toBeNull();

    // The same as a PATCH of `enabled`: members move at once (tier_disabled).
    const off = await request(h.app)
      .put('/v1/tiers')
      .set(auth)
      .send({
        expectedVersion: edit.body.version,
        tiers: [
          { id: bronze, title: 'Bronze' },
          { id: silver, title: 'Silver', qualifications: [{ type: 'lifetimeSpend', minAmount: 45_000 }] },
          {
            id: gold,
            title: 'Gold',
            enabled: false,
            qualifications: [{ type: 'lifetimeSpend', minAmount: 100_000 }],
          },
        ],
      });
    expect(off.body.resync).toBe('immediate');
    expect(await tierOfCustomer(auth, 'c-high')).toBe('Silver');
  });

  it('is all or nothing: one impossible tier refuses the whole set with its path, nothing written', async () => {
    const { auth, bronze, silver } = await seeded();
    const before = await tiersOf(auth);
    const draft = [
      { id: bronze, title: 'Bronze renamed' },
      { title: 'New' },
      {
        id: silver,
        title: 'Silver',
        qualifications: [{ type: 'orderVolume', minAmount: 50_000, window: 'P90D' }],
        maintain: [{ type: 'orderVolume', minAmount: 80_000, window: 'P90D' }],
      },
    ];
    const res = await request(h.app)
      .put('/v1/tiers')
      .set(auth)
      .send({ expectedVersion: before.version, tiers: draft });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_configuration');
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ path: 'body.tiers.2.maintain.0', code: 'maintain_above_qualification' }),
    ]);
    // The same check and the same paths as POST /v1/simulations for the same draft.
    const sim = await request(h.app).post('/v1/simulations').set(auth).send({ tiers: draft });
    expect(sim.status).toBe(400);
    expect(res.body.error.details).toEqual(sim.body.error.details);
    expect(await tiersOf(auth)).toEqual(before);
  });

  it('refuses a stale version (409) and a replay of an applied request, changing nothing', async () => {
    const { auth, bronze, silver, gold } = await seeded();
    const { version } = await tiersOf(auth);
    const body = {
      expectedVersion: version,
      tiers: [
        { id: bronze, title: 'Bronze' },
        { id: silver, title: 'Silver', qualifications: [{ type: 'lifetimeSpend', minAmount: 40_000 }] },
        { title: 'New top', qualifications: [{ type: 'lifetimeSpend', minAmount: 200_000 }] },
      ],
    };
    // A change made meanwhile through another route.
    await request(h.app).patch(`/v1/tiers/${gold}`).set(auth).send({ title: 'Gold (renamed)' }).expect(200);
    const changed = await tiersOf(auth);
    const stale = await request(h.app).put('/v1/tiers').set(auth).send(body);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('tier_set_changed');
    expect(await tiersOf(auth)).toEqual(changed);

    // Applied once with the fresh version; the same request again is refused, not applied twice.
    const fresh = { ...body, expectedVersion: changed.version };
    expect((await request(h.app).put('/v1/tiers').set(auth).send(fresh)).status).toBe(200);
    const after = await tiersOf(auth);
    const replay = await request(h.app).put('/v1/tiers').set(auth).send(fresh);
    expect(replay.status).toBe(409);
    expect(await tiersOf(auth)).toEqual(after);
    expect(after.data.filter((t) => t.title === 'New top')).toHaveLength(1);
  });

  it("never touches another program's tiers and refuses their ids", async () => {
    const a = await seeded();
    const b = await seeded();
    const bBefore = await tiersOf(b.auth);
    const { version } = await tiersOf(a.auth);
    const res = await request(h.app)
      .put('/v1/tiers')
      .set(a.auth)
      .send({
        expectedVersion: version,
        tiers: [
          { id: a.bronze, title: 'Bronze' },
          { id: b.gold, title: 'Theirs' },
        ],
      });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'invalid_tier_set',
      details: [expect.objectContaining({ path: 'body.tiers.1.id', code: 'unknown_tier' })],
    });
    // B's version cannot be used against A either; B never changes.
    const crossVersion = await request(h.app)
      .put('/v1/tiers')
      .set(a.auth)
      .send({ expectedVersion: bBefore.version, tiers: [{ id: a.bronze, title: 'Bronze' }] });
    expect(crossVersion.status).toBe(409);
    expect(await tiersOf(b.auth)).toEqual(bBefore);
  });

  it('refuses malformed bodies with 400 and writes nothing', async () => {
    const { auth, bronze } = await seeded();
    const before = await tiersOf(auth);
    const bodies: unknown[] = [
      {},
      { tiers: [{ title: 'A' }] },
      { expectedVersion: before.version },
      { expectedVersion: before.version, tiers: [] },
      { expectedVersion: before.version, tiers: [{ title: '' }] },
      { expectedVersion: before.version, tiers: [{ id: 'none', title: 'A' }] },
      {
        expectedVersion: before.version,
        tiers: [
          { id: bronze, title: 'A' },
          { id: bronze, title: 'B' },
        ],
      },
      { expectedVersion: before.version, tiers: [{ title: 'A', qualification: [] }] },
      {
        expectedVersion: before.version,
        tiers: [{ title: 'A', qualifications: [{ type: 'largeOrder', minAmount: 1.5 }] }],
      },
      { expectedVersion: before.version, tiers: Array.from({ length: 21 }, (_, i) => ({ title: `T${i}` })) },
      { expectedVersion: 5, tiers: [{ title: 'A' }] },
    ];
    for (const body of bodies) {
      const res = await request(h.app)
        .put('/v1/tiers')
        .set(auth)
        .send(body as object);
      expect([res.status, JSON.stringify(body)]).toEqual([400, JSON.stringify(body)]);
    }
    const text = await request(h.app)
      .put('/v1/tiers')
      .set(auth)
      .set('Content-Type', 'text/plain')
      .send('tiers');
    expect(text.status).toBe(415);
    expect(await tiersOf(auth)).toEqual(before);
    const anonymous = await request(h.app)
      .put('/v1/tiers')
      .send({ expectedVersion: before.version, tiers: [{ title: 'A' }] });
    expect(anonymous.status).toBe(401);
  });

  it('re-places customers exactly as the single-tier routes do for the same change', async () => {
    const viaPut = await seeded();
    const viaRoutes = await seeded();
    const platinum = { title: 'Platinum', qualifications: [{ type: 'lifetimeSpend', minAmount: 110_000 }] };
    const silver = { title: 'Silver', qualifications: [{ type: 'lifetimeSpend', minAmount: 60_000 }] };
    const { version } = await tiersOf(viaPut.auth);
    await request(h.app)
      .put('/v1/tiers')
      .set(viaPut.auth)
      .send({
        expectedVersion: version,
        tiers: [{ id: viaPut.bronze, title: 'Bronze' }, { id: viaPut.silver, ...silver }, platinum],
      })
      .expect(200);
    await request(h.app).patch(`/v1/tiers/${viaRoutes.silver}`).set(viaRoutes.auth).send(silver).expect(200);
    await request(h.app).post('/v1/tiers').set(viaRoutes.auth).send(platinum).expect(201);
    await request(h.app).delete(`/v1/tiers/${viaRoutes.gold}`).set(viaRoutes.auth).expect(204);

    const placements = async (p: typeof viaPut) => {
      const out = [];
      for (const id of p.ids) {
        const history = await request(h.app).get(`/v1/customers/${id}/tier-history`).set(p.auth);
        out.push({
          tier: await tierOfCustomer(p.auth, id),
          changes: history.body.data.map((c: { reason: string; direction: string }) => [
            c.reason,
            c.direction,
          ]),
        });
      }
      return out;
    };
    const put = await placements(viaPut);
    expect(put).toEqual(await placements(viaRoutes));
    // Lifetime retention: the raised Silver bar keeps its member; Gold's member goes to Platinum.
    expect(put.map((p) => p.tier)).toEqual(['Bronze', 'Silver', 'Platinum']);
    expect((await tiersOf(viaPut.auth)).data.map((t) => t.title)).toEqual(
      (await tiersOf(viaRoutes.auth)).data.map((t) => t.title),
    );
  });
}
