/**
 * GET /v1/runs (the rehearsal timeline) against the real app and database: after test-clock
 * advances across daily syncs, a downgrade warning and a cycle boundary, the listing pages every
 * run the advances reported, newest first, with what each changed; filters, bad parameters,
 * tenant isolation; and advancing the clock by a duration.
 */
import request from 'supertest';
import { createProgram, type Harness, startHarness } from '../support/harness.js';

type Auth = { Authorization: string };
interface Ran {
  kind: string;
  at: string;
  jobId: string;
  state: string;
  processed: number;
  total: number;
}
interface RunItem extends Ran {
  id: string;
  asOf: string;
  counts: { movedUp: number; movedDown: number; warned: number };
}

let h: Harness;
let auth: Auth;
/** Everything the advances reported, in the order they ran. */
const ran: Ran[] = [];

async function advance(a: Auth, body: Record<string, string>) {
  const res = await request(h.app).post('/v1/test-clock/advance').set(a).send(body);
  expect(res.status).toBe(200);
  return res.body as { now: string; ran: Ran[] };
}

async function runs(a: Auth, query: Record<string, string | number> = {}) {
  return request(h.app).get('/v1/runs').set(a).query(query);
}

/** Every page of the listing, following nextCursor. */
async function allPages(a: Auth, query: Record<string, string | number>): Promise<RunItem[][]> {
  const pages: RunItem[][] = [];
  let cursor: string | null = null;
  do {
    const res = await runs(a, cursor ? { ...query, cursor } : query);
    expect(res.status).toBe(200);
    pages.push(res.body.data);
    cursor = res.body.nextCursor;
  } while (cursor);
  return pages;
}

/** Newest due time first; runs due at the same instant by id, descending (the listing's order). */
const newestFirst = (a: { at: string; jobId: string }, b: { at: string; jobId: string }) =>
  b.at.localeCompare(a.at) || b.jobId.localeCompare(a.jobId);

beforeAll(async () => {
  h = await startHarness();
  ({ auth } = await createProgram(h, {
    mode: 'test',
    clockStart: '2025-01-01T00:00:00Z',
    timezone: 'UTC',
    // Inactivity makes a cycle-mode program sync daily too.
    retention: { mode: 'cycle', cycle: { every: 'P1M', anchor: '2025-01-01' }, inactivity: 'P1Y' },
  }));
  await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Bronze' }).expect(201);
  await request(h.app)
    .post('/v1/tiers')
    .set(auth)
    .send({ title: 'Gold', qualifications: [{ type: 'orderVolume', minAmount: 50000, window: 'P14D' }] })
    .expect(201);
  await request(h.app).put('/v1/customers/ann').set(auth).send({}).expect(201);
  await request(h.app).put('/v1/customers/ben').set(auth).send({}).expect(201);
  ran.push(...(await advance(auth, { to: '2025-01-10T12:00:00Z' })).ran);
  // Ann reaches Gold at once; nothing she spends in the 14 days before 1 Feb keeps it then.
  await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: 'o1', customerId: 'ann', amount: 60000 })
    .expect(201);
  ran.push(...(await advance(auth, { to: '2025-02-03T00:00:00Z' })).ran);
});
afterAll(() => h.close());

describe('GET /v1/runs', () => {
  it('pages every run the advances ran, newest first, with the boundary and what it changed', async () => {
    expect(ran.map((r) => r.kind)).toEqual(expect.arrayContaining(['daily', 'warning', 'cycle']));
    const pages = await allPages(auth, { limit: 7 });
    expect(pages.length).toBe(Math.ceil(ran.length / 7));
    const listed = pages.flat();
    expect(listed.map((r) => [r.jobId, r.kind, r.at, r.state, r.processed, r.total])).toEqual(
      [...ran].sort(newestFirst).map((r) => [r.jobId, r.kind, r.at, r.state, r.processed, r.total]),
    );
    for (const r of listed) expect(r.id).toBe(r.jobId);

    const cycle = listed.filter((r) => r.kind === 'cycle');
    expect(cycle.map((r) => [r.at, r.processed, r.counts])).toEqual([
      ['2025-02-01T00:00:00.000Z', 2, { movedUp: 0, movedDown: 1, warned: 0 }],
    ]);
    const warning = listed.filter((r) => r.kind === 'warning');
    expect(warning.map((r) => [r.at, r.counts.warned])).toEqual([['2025-01-25T00:00:00.000Z', 1]]);
    // Ann's tier history agrees with the boundary's count.
    const history = await request(h.app).get('/v1/customers/ann/tier-history').set(auth);
    expect(history.body.data.filter((c: { direction: string }) => c.direction === 'down')).toHaveLength(1);
  });

  it('filters by kind and by due time', async () => {
    const kinds = await runs(auth, { kind: 'cycle,warning' });
    expect(kinds.status).toBe(200);
    expect(kinds.body.data.map((r: RunItem) => r.kind).sort()).toEqual(['cycle', 'warning']);

    const from = '2025-01-20T00:00:00Z';
    const to = '2025-02-01T00:00:00Z';
    const window = await runs(auth, { from, to, limit: 200 });
    expect(window.status).toBe(200);
    const expected = ran
      .filter((r) => r.at >= new Date(from).toISOString() && r.at < new Date(to).toISOString())
      .sort(newestFirst)
      .map((r) => r.jobId);
    expect(expected.length).toBeGreaterThan(0);
    expect(window.body.data.map((r: RunItem) => r.jobId)).toEqual(expected);
    expect(window.body.nextCursor).toBeNull();
  });

  it('refuses bad parameters with 400 and a stable code', async () => {
    const bad: Record<string, string>[] = [
      { kind: 'boundary' },
      { kind: 'cycle,' },
      { limit: '0' },
      { limit: '201' },
      { limit: 'ten' },
      { from: 'yesterday' },
      { to: '2025-13-01T00:00:00Z' },
      { cursor: '!!!' },
      { cursor: Buffer.from('not a cursor').toString('base64url') },
      { sort: 'asc' },
    ];
    for (const query of bad) {
      const res = await runs(auth, query);
      expect([query, res.status, res.body.error?.code]).toEqual([query, 400, 'validation_failed']);
    }
  });

  it("never shows another program's runs", async () => {
    const other = await createProgram(h, { mode: 'test', clockStart: '2025-01-01T00:00:00Z' });
    const empty = await runs(other.auth);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ data: [], nextCursor: null });
    // A cursor made from this program's runs finds nothing of them in the other program.
    const first = await runs(auth, { limit: 1 });
    const res = await runs(other.auth, { cursor: first.body.nextCursor });
    expect(res.body.data).toEqual([]);
    const job = await request(h.app).get(`/v1/jobs/${ran[0]?.jobId}`).set(other.auth);
    expect(job.status).toBe(404);
  });
});

describe('advancing the test clock by a duration', () => {
  it("moves by P1M on the program's calendar and refuses ambiguous or empty bodies", async () => {
    const t = await createProgram(h, {
      mode: 'test',
      clockStart: '2025-01-31T12:00:00Z',
      timezone: 'America/New_York',
    });
    // 31 Jan 07:00 in New York + 1 month = the last day of February, 07:00 there.
    const res = await advance(t.auth, { by: 'P1M' });
    expect(res.now).toBe('2025-02-28T12:00:00.000Z');
    for (const body of [{}, { by: 'P0D' }, { by: 'P1X' }, { by: 'P1D', to: '2026-01-01T00:00:00Z' }]) {
      const refused = await request(h.app).post('/v1/test-clock/advance').set(t.auth).send(body);
      expect([body, refused.status, refused.body.error?.code]).toEqual([body, 400, 'validation_failed']);
    }
    const far = await request(h.app).post('/v1/test-clock/advance').set(t.auth).send({ by: 'P11Y' });
    expect(far.status).toBe(422);
    expect(far.body.error.code).toBe('advance_too_far');
    expect((await request(h.app).get('/v1/test-clock').set(t.auth)).body.now).toBe(
      '2025-02-28T12:00:00.000Z',
    );
  });
});
