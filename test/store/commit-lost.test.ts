/**
 * Issue 10 item 1, the ambiguous case: the connection is lost after COMMIT was sent and before
 * its answer came back. The server committed; the service cannot know. It must not run the unit
 * again on its own (a unit without a key would be applied twice); it answers 503
 * `database_unavailable` saying the request may have taken effect, and the client's resend with
 * the same key returns the stored answer — applied once.
 */
import request from 'supertest';
import { openStore } from '../../src/store/open-store.js';
import { testDatabaseUrl } from '../support/db.js';
import { createProgram, type Harness, startHarness, uid } from '../support/harness.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

/** pg's simple-query message for COMMIT: 'Q', length 11, "COMMIT\0". */
const COMMIT_MESSAGE = Buffer.concat([Buffer.from('Q'), Buffer.from([0, 0, 0, 11]), Buffer.from('COMMIT\0')]);

let proxy: TcpProxy;
let h: Harness;
beforeAll(async () => {
  proxy = await startTcpProxy(testDatabaseUrl());
  h = await startHarness({
    store: await openStore({ databaseUrl: proxy.url(testDatabaseUrl()), dataDir: 'memory://' }),
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await proxy?.close();
}, 60_000);

it('answers 503 without rerunning when the connection drops during COMMIT; the resend is a replay', async () => {
  const { auth, programId } = await createProgram(h);
  const c = uid('commit');
  await request(h.app).put(`/v1/customers/${c}`).set(auth).send({}).expect(201);
  const points = (key: string) =>
    request(h.app)
      .post(`/v1/customers/${c}/points`)
      .set(auth)
      .set('Idempotency-Key', key)
      .send({ points: 70, reason: 'commit-lost test' });

  proxy.cutAfterClientSends(COMMIT_MESSAGE);
  const key = uid('key');
  const lost = await points(key);
  expect(lost.status).toBe(503);
  expect(lost.body.error.code).toBe('database_unavailable');
  expect(lost.body.error.message).toMatch(/may have taken effect/);
  expect(lost.headers['retry-after']).toBe('2');

  // The server did commit: the event is there once. Not run again by the service.
  const scope = h.store.scoped(programId);
  expect((await scope.customers.get(c))?.balances.current).toBe(70);
  // The client's resend returns the stored answer, applied once.
  const again = await points(key);
  expect(again.status).toBe(201);
  expect(again.headers['idempotent-replayed']).toBe('true');
  expect((await scope.customers.get(c))?.balances).toEqual(await scope.ledger.sum(c));
  expect((await scope.customers.get(c))?.balances.current).toBe(70);
}, 60_000);
