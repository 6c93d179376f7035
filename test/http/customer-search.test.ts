/**
 * GET /v1/customers: prefix search on id, email and name in any case, LIKE wildcards taken
 * literally, tier and no-tier filters, both orders, keyset pages without duplicates or gaps,
 * bad parameters refused with nothing written, and tenant isolation.
 */
import request from 'supertest';
import { testDatabaseUrl } from '../support/db.js';
import { createProgram, createTier, type Harness, startHarness } from '../support/harness.js';
import { changedTables, digestDatabase } from './db-digest.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

type Auth = { Authorization: string };

async function put(auth: Auth, id: string, body: Record<string, unknown> = {}): Promise<void> {
  const res = await request(h.app)
    .put(`/v1/customers/${encodeURIComponent(id)}`)
    .set(auth)
    .send(body);
  expect([200, 201]).toContain(res.status);
}

const tier = (auth: Auth, body: Record<string, unknown>) => createTier(h, auth, body);

async function ids(auth: Auth, query: string): Promise<string[]> {
  const res = await request(h.app).get(`/v1/customers?${query}`).set(auth);
  expect(res.status).toBe(200);
  return res.body.data.map((c: { id: string }) => c.id);
}

/** Every page of a listing, following nextCursor. */
async function allPages(auth: Auth, query: string): Promise<{ ids: string[]; pages: number }> {
  const out: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const q: string = `${query}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await request(h.app).get(`/v1/customers?${q}`).set(auth);
    expect(res.status).toBe(200);
    out.push(...res.body.data.map((c: { id: string }) => c.id));
    cursor = res.body.nextCursor;
    pages += 1;
  } while (cursor);
  return { ids: out, pages };
}

describe('search', () => {
  let auth: Auth;
  beforeAll(async () => {
    ({ auth } = await createProgram(h));
    await put(auth, 'C-100', { email: 'Ann.Lee@Example.com', name: 'Ann Lee' });
    await put(auth, 'c-101', { email: 'bob@example.com', name: 'Bob Annis' });
    await put(auth, 'x-200', { email: 'carla@shop.test', name: 'Carla Ann' });
    await put(auth, 'ann_x', { email: 'dan@example.com', name: '100% Dan' });
    await put(auth, 'annex', { email: 'under_score@example.com', name: 'Back\\slash' });
  });

  it('matches the id, the email or the name by prefix, in any case', async () => {
    expect(await ids(auth, 'query=c-10')).toEqual(['C-100', 'c-101']);
    expect(await ids(auth, 'query=ANN')).toEqual(['C-100', 'ann_x', 'annex']);
    expect(await ids(auth, 'query=bob%40')).toEqual(['c-101']);
    expect(await ids(auth, 'query=carla')).toEqual(['x-200']);
    expect(await ids(auth, 'query=%20%20Carla%20')).toEqual(['x-200']);
    // Not a substring search: "Lee" is inside a name, not at its start.
    expect(await ids(auth, 'query=lee')).toEqual([]);
    expect(await ids(auth, 'query=')).toHaveLength(5);
  });

  it('takes LIKE wildcards literally', async () => {
    expect(await ids(auth, `query=${encodeURIComponent('ann_')}`)).toEqual(['ann_x']);
    expect(await ids(auth, `query=${encodeURIComponent('%')}`)).toEqual([]);
    expect(await ids(auth, `query=${encodeURIComponent('100%')}`)).toEqual(['ann_x']);
    expect(await ids(auth, `query=${encodeURIComponent('1%')}`)).toEqual([]);
    expect(await ids(auth, `query=${encodeURIComponent('under_')}`)).toEqual(['annex']);
    expect(await ids(auth, `query=${encodeURIComponent('_')}`)).toEqual([]);
    expect(await ids(auth, `query=${encodeURIComponent('back\\')}`)).toEqual(['annex']);
    expect(await ids(auth, `query=${encodeURIComponent('\\')}`)).toEqual([]);
  });

  it('shows each row with tier, balances and dates', async () => {
    const res = await request(h.app).get('/v1/customers?query=bob').set(auth);
    expect(res.body).toEqual({
      data: [
        {
          id: 'c-101',
          email: 'bob@example.com',
          name: 'Bob Annis',
          tier: null,
          tierSince: expect.any(String),
          balances: { current: 0, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 },
          createdAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
  });
});

describe('tier filter and orders', () => {
  it('filters by tier and by "no tier", and sorts by id or newest', async () => {
    const { auth } = await createProgram(h);
    await put(auth, 'early', { email: 'early@example.com' });
    const bronze = await tier(auth, { title: 'Bronze' });
    const gold = await tier(auth, { title: 'Gold', qualifications: [{ type: 'tag', tag: 'vip' }] });
    await put(auth, 'b-1');
    await put(auth, 'a-2', { tags: ['vip'] });
    await put(auth, 'c-3', { tags: ['vip'] });
    expect(await ids(auth, `tier=${gold}`)).toEqual(['a-2', 'c-3']);
    expect(await ids(auth, `tier=${bronze}`)).toEqual(['b-1']);
    // `early` was created before any tier existed and nothing re-evaluated it yet.
    expect(await ids(auth, 'tier=none')).toEqual(['early']);
    expect(await ids(auth, `tier=${gold}&query=c`)).toEqual(['c-3']);
    expect(await ids(auth, 'tier=tier_unknown')).toEqual([]);
    expect(await ids(auth, 'sort=newest')).toEqual(['c-3', 'a-2', 'b-1', 'early']);
    const gotGold = await request(h.app).get(`/v1/customers?tier=${gold}&limit=1`).set(auth);
    expect(gotGold.body.data[0].tier).toEqual({ id: gold, title: 'Gold', deleted: false });
  });

  it.each(['id', 'newest'])('pages through 61 customers by %s with no duplicate and no gap', async (sort) => {
    const { auth } = await createProgram(h);
    const all: string[] = [];
    for (let i = 0; i < 61; i += 1) {
      const id = `p-${String(i).padStart(3, '0')}`;
      all.push(id);
      await put(auth, id, { email: `p${i}@example.com` });
    }
    const { ids: seen, pages } = await allPages(auth, `sort=${sort}`);
    expect(pages).toBe(9);
    expect(seen).toEqual(sort === 'id' ? all : [...all].reverse());
    // A filtered listing pages the same way.
    const filtered = await allPages(auth, `sort=${sort}&query=p-01`);
    expect(filtered.ids.sort()).toEqual(all.filter((id) => id.startsWith('p-01')));
  });
});

describe('bad parameters', () => {
  it.each([
    ['limit=0', 'query.limit'],
    ['limit=201', 'query.limit'],
    ['limit=abc', 'query.limit'],
    ['sort=points', 'query.sort'],
    ['cursor=not-a-cursor!', 'query.cursor'],
    ['cursor=bm9wZQ', 'query.cursor'],
    [`query=${'a'.repeat(201)}`, 'query.query'],
    ['query=a&query=b', 'query.query'],
    ['tier=has%20space', 'query.tier'],
    ['unknown=1', 'query'],
  ])('%s → 400 naming %s, nothing written', async (qs, path) => {
    const { auth } = await createProgram(h);
    await put(auth, 'someone');
    const before = await digestDatabase(testDatabaseUrl());
    const res = await request(h.app).get(`/v1/customers?${qs}`).set(auth);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(changedTables(before, await digestDatabase(testDatabaseUrl()))).toEqual([]);
  });

  it('refuses a cursor of the other order', async () => {
    const { auth } = await createProgram(h);
    for (const id of ['a', 'b', 'c']) await put(auth, id);
    const first = await request(h.app).get('/v1/customers?limit=1').set(auth);
    const cursor = encodeURIComponent(first.body.nextCursor);
    expect((await request(h.app).get(`/v1/customers?limit=1&cursor=${cursor}`).set(auth)).status).toBe(200);
    const other = await request(h.app).get(`/v1/customers?sort=newest&cursor=${cursor}`).set(auth);
    expect(other.status).toBe(400);
    expect(other.body.error.details[0].path).toBe('query.cursor');
  });

  it('needs credentials', async () => {
    expect((await request(h.app).get('/v1/customers')).status).toBe(401);
  });
});

it('never shows another program’s customers', async () => {
  const a = await createProgram(h);
  const b = await createProgram(h);
  await put(a.auth, 'shared-id', { email: 'a@example.com' });
  await put(b.auth, 'shared-id', { email: 'b@example.com' });
  await put(b.auth, 'only-b', { email: 'a-lookalike@example.com' });
  const res = await request(h.app).get('/v1/customers?query=a').set(a.auth);
  expect(res.body.data.map((c: { id: string; email: string }) => [c.id, c.email])).toEqual([
    ['shared-id', 'a@example.com'],
  ]);
  expect(await ids(a.auth, '')).toEqual(['shared-id']);
  // A cursor is only a position: another program's cursor still lists the caller's own rows only.
  const page = await request(h.app).get('/v1/customers?limit=1').set(b.auth);
  const cursor = encodeURIComponent(page.body.nextCursor);
  const after = await request(h.app).get(`/v1/customers?limit=5&cursor=${cursor}`).set(a.auth);
  expect(after.body.data.map((c: { email: string }) => c.email)).toEqual(['a@example.com']);
});
