/**
 * Property-based fuzzing of every operation of the served /openapi.json (issue 10): malformed
 * requests only (malformed-requests.ts), with valid, bad and missing credentials, against the
 * real app on a PostgreSQL database of its own. Fails on any 5xx, on any 2xx/3xx (every request
 * is invalid), on a 4xx without the error shape, and on any write: a digest of every table is
 * taken before and after each operation's batch.
 *
 * FUZZ_SEED and FUZZ_RUNS (requests per operation) override the fixed defaults; FUZZ_VERBOSE=1
 * prints how many requests were sent and the statuses answered.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import request from 'supertest';
import { type PassHarness, startPassHarness } from '../passes/pass-harness.js';
import { createProgram, uid } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { changedTables, type DbDigest, digestDatabase } from './db-digest.js';
import {
  type Fixtures,
  type MalformedRequest,
  malformedRequests,
  type Operation,
  operationsOf,
} from './malformed-requests.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_204);
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 60);
/** Tables that legitimately change on reads (none yet; e.g. rate-limit counters would be). */
const EXCLUDED_TABLES: string[] = [];
/** buildApp options of the app under test (e.g. raised rate limits for the many bad credentials). */
// Failed credentials are not rate limited here: the fuzzer's bad keys would otherwise lock its
// own client out of every authenticated operation (the limiter has its own tests).
const APP_OPTIONS = {
  webhooks: { policy: { allowLoopback: true, allowPrivate: false } },
  rateLimits: { authFailures: 0 },
};

let db: Awaited<ReturnType<typeof createTempDatabase>>;
let h: PassHarness;
let server: Server;
let auth: Record<string, string>;
const fixtures: Fixtures = {};

beforeAll(async () => {
  db = await createTempDatabase();
  h = await startPassHarness({ databaseUrl: db.url, app: APP_OPTIONS });
  server = createServer(h.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const program = await createProgram(h);
  auth = program.auth;
  const api = () => request(server);
  const ok = (res: request.Response, status: number) => {
    if (res.status !== status) throw new Error(`fixture: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  fixtures.programId = program.programId;
  fixtures.customerId = uid('fuzz');
  ok(await api().put(`/v1/customers/${fixtures.customerId}`).set(auth).send({ name: 'Ann' }), 201);
  const tier = ok(
    await api()
      .post('/v1/tiers')
      .set(auth)
      .send({ title: 'Gold', qualifications: [{ type: 'lifetimePoints', minPoints: 100 }] }),
    201,
  );
  fixtures.tierId = tier.id;
  fixtures.orderId = uid('order');
  ok(
    await api()
      .post('/v1/orders')
      .set(auth)
      .send({ id: fixtures.orderId, customerId: fixtures.customerId, amount: 5000 }),
    201,
  );
  const hook = ok(
    await api()
      .post('/v1/webhooks')
      .set(auth)
      .send({ url: 'http://127.0.0.1:9/hook', events: ['tier.upgraded'] }),
    201,
  );
  fixtures.webhookId = hook.id;
  const deliveries = ok(await api().get(`/v1/webhooks/${hook.id}/deliveries`).set(auth), 200);
  fixtures.deliveryId = deliveries.data[0]?.id ?? '1';
  const job = ok(await api().post('/v1/sync').set(auth), 202);
  fixtures.jobId = job.jobId;
  // The sync runs in the background: wait until it has stopped writing.
  for (let i = 0; i < 200; i++) {
    const run = ok(await api().get(`/v1/jobs/${job.jobId}`).set(auth), 200);
    if (run.state === 'done' || run.state === 'failed') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const link = ok(await api().get(`/v1/customers/${fixtures.customerId}/passes/link`).set(auth), 200);
  fixtures.token = new URL(link.url).pathname.split('/').pop() ?? 'x';
  Object.assign(fixtures, {
    slot: 'logo',
    variant: 'logo.png',
    passTypeIdentifier: 'pass.test.tierpass',
    serialNumber: 'x',
    deviceLibraryIdentifier: 'device-1',
    hash: 'x',
    name: 'logo.png',
    file: 'x.png',
  });
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await h?.close();
  await db?.drop();
});

async function send(r: MalformedRequest): Promise<request.Response> {
  const { port } = server.address() as AddressInfo;
  let t = request(`http://127.0.0.1:${port}`)[r.method](r.url).set(r.headers).timeout(20_000);
  // Bytes as generated: superagent would JSON-encode a Buffer or re-serialise a string.
  if (r.body !== undefined) t = t.serialize((b: unknown) => b as string).send(r.body);
  return t.ok(() => true);
}

/** Why a response to a malformed request is wrong, or undefined when it is right. */
function problem(res: request.Response): string | undefined {
  if (res.status >= 500) return `${res.status} ${JSON.stringify(res.body)}`;
  if (res.status < 400) return `${res.status}: a malformed request was accepted`;
  if (typeof res.body?.error?.code !== 'string' || typeof res.body?.error?.message !== 'string') {
    return `${res.status} without { error: { code, message } }: ${res.text?.slice(0, 200)}`;
  }
  return undefined;
}

it(`answers ${RUNS_PER_OPERATION} malformed requests to every operation with a 4xx and writes nothing (seed ${SEED})`, async () => {
  const doc = (await request(server).get('/openapi.json')).body;
  const operations: Operation[] = operationsOf(doc);
  expect(operations.length).toBeGreaterThan(40);
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let sent = 0;
  let before: DbDigest = await digestDatabase(db.url, EXCLUDED_TABLES);
  for (const [i, op] of operations.entries()) {
    const name = `${op.method.toUpperCase()} ${op.path}`;
    const result = await fc.check(
      fc.asyncProperty(malformedRequests(op, fixtures, auth), async (r) => {
        const res = await send(r);
        sent++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const wrong = problem(res);
        if (wrong) throw new Error(`${r.method.toUpperCase()} ${r.url} [${r.kind}] → ${wrong}`);
      }),
      { seed: SEED + i, numRuns: RUNS_PER_OPERATION, endOnFailure: true },
    );
    if (result.failed)
      failures.push(
        `${name}: ${result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance)}`,
      );
    const after = await digestDatabase(db.url, EXCLUDED_TABLES);
    const changed = changedTables(before, after);
    if (changed.length > 0) failures.push(`${name}: wrote to ${changed.join(', ')}`);
    before = after;
  }
  // A record of what was exercised (visible with --verbose or on failure).
  const summary = `${sent} requests over ${operations.length} operations, statuses ${JSON.stringify(Object.fromEntries(statuses))}`;
  if (process.env.FUZZ_VERBOSE) console.log(summary);
  expect({ summary, failures }).toEqual({ summary, failures: [] });
  expect(sent).toBeGreaterThanOrEqual(operations.length * RUNS_PER_OPERATION);
}, 600_000);
