/**
 * Pass fetches served by the lower-priority pass thread (decision 0054): the same pass, signed
 * and verifiable, the same conditional answers and refusals, the thread's nice value as asked,
 * admitted by the same gate as in-process fetches (0049), and the in-process path when the
 * thread cannot start or has stopped.
 */
import { readFile } from 'node:fs/promises';
import request from 'supertest';
import { uid } from '../support/harness.js';
import {
  createBronzeGoldProgram,
  fetchPass,
  openPkpass,
  PASS_TYPE_ID,
  type PassHarness,
  startPassHarness,
  verifySignature,
} from './pass-harness.js';

/** The nice value of one of this process's threads, as the kernel reports it. */
async function niceOf(tid: number): Promise<number> {
  const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8');
  // Fields after the command name in parentheses: state is field 3, nice is field 19.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[16]);
}

async function customerWithPoints(h: PassHarness, auth: { Authorization: string }, points: number) {
  const id = uid('cust');
  await request(h.app).put(`/v1/customers/${id}`).set(auth).send({ name: 'Grace Hopper' }).expect(201);
  await request(h.app)
    .post(`/v1/customers/${id}/points`)
    .set(auth)
    .set('Idempotency-Key', uid('earn'))
    .send({ points, reason: 'test' })
    .expect(201);
  return id;
}

describe('pass fetches from the pass thread', () => {
  let h: PassHarness;
  let auth: { Authorization: string };

  beforeAll(async () => {
    // A fetch held at the gate waits for as long as the test needs (not the default 250 ms).
    h = await startPassHarness({ thread: { nice: 10 }, fetches: { maxDeferMs: 60_000 } });
    auth = await createBronzeGoldProgram(h);
  });
  afterAll(() => h.close());

  it('serves the signed pass from a thread running at the nice value asked', async () => {
    const id = await customerWithPoints(h, auth, 3500);
    const res = await fetchPass(h, `/v1/customers/${id}/passes/apple`, auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.apple.pkpass');
    const { files, pass } = openPkpass(res.body as Buffer);
    await expect(verifySignature(h, files)).resolves.toMatch(/Verification successful/);
    expect(JSON.stringify(pass)).toContain('Gold');
    // Built by the thread, not by the service on the event loop.
    expect(h.thread?.stats.builds).toBe(1);
    expect(h.passes.stats.builds).toBe(0);
    const lowered = h.thread?.lowered;
    expect(lowered?.nice).toBe(10);
    await expect(niceOf(lowered?.tid as number)).resolves.toBe(10);
    // The process's own threads keep their priority.
    await expect(niceOf(process.pid)).resolves.toBe(0);
  });

  it('answers the PassKit web service with 304 for the current tag, and a new pass after a change', async () => {
    const id = await customerWithPoints(h, auth, 100);
    const first = await fetchPass(h, `/v1/customers/${id}/passes/apple`, auth);
    const { pass } = openPkpass(first.body as Buffer);
    const path = `/wallet/apple/v1/passes/${PASS_TYPE_ID}/${encodeURIComponent(pass.serialNumber as string)}`;
    const device = { Authorization: `ApplePass ${pass.authenticationToken as string}` };
    const again = await fetchPass(h, path, { ...device, 'If-None-Match': first.headers.etag as string });
    expect(again.status).toBe(304);
    const hits = h.thread?.stats.cacheHits ?? 0;
    const cached = await fetchPass(h, path, device);
    expect(cached.status).toBe(200);
    expect(h.thread?.stats.cacheHits).toBe(hits + 1);

    await request(h.app)
      .post(`/v1/customers/${id}/points`)
      .set(auth)
      .set('Idempotency-Key', uid('earn'))
      .send({ points: 3000, reason: 'test' })
      .expect(201);
    const changed = await fetchPass(h, path, { ...device, 'If-None-Match': first.headers.etag as string });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(first.headers.etag);
    expect(JSON.stringify(openPkpass(changed.body as Buffer).pass)).toContain('Gold');
  });

  it('refuses an unknown customer and another program’s customer with 404 customer_not_found', async () => {
    const other = await createBronzeGoldProgram(h);
    const theirs = await customerWithPoints(h, other, 10);
    for (const id of ['nobody-here', theirs]) {
      const res = await request(h.app).get(`/v1/customers/${id}/passes/apple`).set(auth);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('customer_not_found');
    }
  });

  it('waits, as an in-process fetch does, until the gate lets it start (0049)', async () => {
    const id = await customerWithPoints(h, auth, 120);
    // Deferrable work holds the gate's only place: the fetch must not start before it ends.
    let release: () => void = () => undefined;
    const held = h.priority.deferrable(() => new Promise<void>((resolve) => (release = resolve)), false);
    // It starts once the settle window after the last request is over.
    while (h.priority.stats().running === 0) await new Promise((r) => setTimeout(r, 5));
    const builds = h.thread?.stats.builds ?? 0;
    const fetching = Promise.resolve(fetchPass(h, `/v1/customers/${id}/passes/apple`, auth));
    while (h.priority.stats().waiting === 0) await new Promise((r) => setTimeout(r, 5));
    expect(h.priority.stats()).toMatchObject({ running: 1, waiting: 1 });
    expect(h.thread?.stats.builds).toBe(builds);
    release();
    await held;
    const res = await fetching;
    expect(res.status).toBe(200);
    expect(h.thread?.stats.builds).toBe(builds + 1);
    expect(h.priority.stats()).toMatchObject({ running: 0, waiting: 0 });
  });

  it('starts a new thread for the next fetch once the thread has stopped', async () => {
    const starts = h.thread?.starts ?? 0;
    await h.thread?.close();
    const id = await customerWithPoints(h, auth, 200);
    const res = await fetchPass(h, `/v1/customers/${id}/passes/apple`, auth);
    expect(res.status).toBe(200);
    expect(h.thread?.starts).toBe(starts + 1);
    await expect(verifySignature(h, openPkpass(res.body as Buffer).files)).resolves.toMatch(
      /Verification successful/,
    );
  });
});

describe('a pass thread that cannot start', () => {
  let h: PassHarness;

  beforeAll(async () => {
    h = await startPassHarness({ thread: { nice: 10, certsDir: '/nonexistent/tierpass-certs' } });
  });
  afterAll(() => h.close());

  it('leaves the fetches to the service, which builds them in-process', async () => {
    const auth = await createBronzeGoldProgram(h);
    const id = await customerWithPoints(h, auth, 50);
    const res = await fetchPass(h, `/v1/customers/${id}/passes/apple`, auth);
    expect(res.status).toBe(200);
    await expect(verifySignature(h, openPkpass(res.body as Buffer).files)).resolves.toMatch(
      /Verification successful/,
    );
    expect(h.passes.stats.builds).toBe(1);
    expect(h.thread?.stats.builds).toBe(0);
  });
});
