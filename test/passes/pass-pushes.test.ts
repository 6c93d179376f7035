/** Outbox → APNs: pushes reach a local HTTP/2 stand-in, devices then find and fetch the new pass. */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { type ApnsStandIn, senderToStandIn, startApnsStandIn } from '../../scripts/lib/apns-stand-in.js';
import { type OutboxQueue, OutboxWorker } from '../../src/features/outbox/outbox-worker.js';
import { ApplePushHandler, type DispatchReport } from '../../src/features/passes/apple-push-handler.js';
import type { PassService } from '../../src/features/passes/pass-service.js';
import { programNow } from '../../src/features/programs/program-context.js';
import type { ApnsPushSender } from '../../src/integrations/apple/apns-push-sender.js';
import { ADMIN_TOKEN, uid } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { fetchPass, openPkpass, PASS_TYPE_ID, type PassHarness, startPassHarness } from './pass-harness.js';

let h: PassHarness;
let standIn: ApnsStandIn;
let sender: ApnsPushSender | undefined;
let scratch: string;
let ownDb: { url: string; drop(): Promise<void> };
let auth: { Authorization: string };
let dispatcher: OutboxQueue<DispatchReport>;
/** Reads the outbox rows the dispatcher left (state the API does not show). */
let db: pg.Client;
let programId: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tierpass-apns-'));
  standIn = await startApnsStandIn(scratch);
  // A database of its own: the outbox is global, and this file's dispatcher must neither take
  // other files' rows nor leave its own to theirs.
  ownDb = await createTempDatabase();
  h = await startPassHarness({
    databaseUrl: ownDb.url,
    pushSender: (certs) => {
      sender = senderToStandIn(standIn, certs);
      return sender;
    },
  });
  if (!h.passPushes) throw new Error('no push dispatcher');
  dispatcher = h.passPushes;
  db = new pg.Client({ connectionString: ownDb.url });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await sender?.close();
  await standIn.close();
  await h.close();
  await rm(scratch, { recursive: true, force: true });
  await ownDb.drop();
});

beforeEach(async () => {
  const res = await request(h.app)
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({ name: 'Maison Lumière', currency: 'EUR', earning: { pointsPerUnit: 1 } });
  auth = { Authorization: `Bearer ${res.body.apiKey}` };
  programId = res.body.program.id;
  await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Bronze' });
  await request(h.app)
    .post('/v1/tiers')
    .set(auth)
    .send({ title: 'Gold', qualifications: [{ type: 'lifetimePoints', minPoints: 3000 }] });
});

/** A customer whose pass is registered on a device with `pushToken`. */
async function registeredPass(device: string, pushToken: string) {
  const customerId = uid('cust');
  await request(h.app).put(`/v1/customers/${customerId}`).set(auth).send({ name: 'Ada' });
  const res = await fetchPass(h, `/v1/customers/${customerId}/passes/apple`, auth);
  const { pass } = openPkpass(res.body as Buffer);
  const serial: string = pass.serialNumber;
  const reg = await request(h.app)
    .post(`/wallet/apple/v1/devices/${device}/registrations/${PASS_TYPE_ID}/${encodeURIComponent(serial)}`)
    .set('Authorization', `ApplePass ${pass.authenticationToken}`)
    .send({ pushToken });
  expect(reg.status).toBe(201);
  return { customerId, serial, token: pass.authenticationToken as string };
}

const order = (customerId: string, amount: number) =>
  request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: uid('order'), customerId, amount });
const serialsOf = (device: string) =>
  request(h.app).get(`/wallet/apple/v1/devices/${device}/registrations/${PASS_TYPE_ID}`);
const pushToken = () => Buffer.from(uid('tok')).toString('hex').padEnd(64, '0').slice(0, 64);

describe('pass pushes through the outbox', () => {
  it('pushes the devices of an upgraded customer, which then list and fetch the new pass', async () => {
    const device = uid('device');
    const token = pushToken();
    const { customerId, serial, token: authToken } = await registeredPass(device, token);
    const before = await serialsOf(device);
    expect(before.status).toBe(200);

    expect((await order(customerId, 400000)).status).toBe(201);
    const report = await dispatcher.dispatch();
    expect(report).toMatchObject({ pushed: 1, unregistered: 0 });
    const received = standIn.pushes.filter((p) => p.token === token);
    // node-apn sends an empty payload as an empty body (Wallet pushes carry no content).
    expect(received).toEqual([{ token, topic: PASS_TYPE_ID, body: '' }]);

    const listed = await serialsOf(device).query({ passesUpdatedSince: before.body.lastUpdated });
    expect(listed.status).toBe(200);
    expect(listed.body.serialNumbers).toEqual([serial]);
    const latest = await fetchPass(
      h,
      `/wallet/apple/v1/passes/${PASS_TYPE_ID}/${encodeURIComponent(serial)}`,
      {
        Authorization: `ApplePass ${authToken}`,
      },
    );
    expect(latest.status).toBe(200);
    expect(openPkpass(latest.body as Buffer).pass.storeCard.headerFields[0]).toMatchObject({ value: 'Gold' });

    // A second change within the minute is coalesced: no second push yet, the row waits.
    expect((await order(customerId, 1000)).status).toBe(201);
    expect(await dispatcher.dispatch()).toMatchObject({ pushed: 0, deferred: 1 });
    expect(standIn.pushes.filter((p) => p.token === token)).toHaveLength(1);
  });

  it('pushes every registered pass of the program after a program design or artwork change', async () => {
    const a = await registeredPass(uid('device'), pushToken());
    const b = await registeredPass(uid('device'), pushToken());
    expect((await order(b.customerId, 400000)).status).toBe(201);
    await dispatcher.dispatch();
    const put = await request(h.app).put('/v1/program/design').set(auth).send({ backgroundColor: '#112233' });
    expect(put.status).toBe(200);
    // Both passes, whatever their tier: the program design shows on every one.
    expect(await outboxOf(a.customerId)).toContainEqual(expect.objectContaining({ done: false }));
    expect(await outboxOf(b.customerId)).toContainEqual(expect.objectContaining({ done: false }));
    const { pass } = openPkpass(
      (
        await fetchPass(h, `/wallet/apple/v1/passes/${PASS_TYPE_ID}/${encodeURIComponent(a.serial)}`, {
          Authorization: `ApplePass ${a.token}`,
        })
      ).body as Buffer,
    );
    expect(pass.backgroundColor).toBe('rgb(17, 34, 51)');
    const icon = readFileSync(join(process.cwd(), 'pass-templates/default/icon@3x.png'));
    const up = await request(h.app)
      .put('/v1/program/artwork/icon')
      .set(auth)
      .set('Content-Type', 'image/png')
      .send(icon);
    expect(up.status).toBe(200);
    expect((await outboxOf(a.customerId)).filter((r) => !r.done).length).toBeGreaterThan(0);
  });

  it('queues nothing for a customer whose pass is on no device', async () => {
    const customerId = uid('cust');
    await request(h.app).put(`/v1/customers/${customerId}`).set(auth).send({ name: 'Grace' });
    await fetchPass(h, `/v1/customers/${customerId}/passes/apple`, auth);
    await dispatcher.dispatch();
    const count = standIn.pushes.length;
    expect((await order(customerId, 400000)).status).toBe(201);
    expect(await dispatcher.dispatch()).toEqual({ pushed: 0, deferred: 0, unregistered: 0 });
    expect(standIn.pushes).toHaveLength(count);
  });

  it('removes a device APNs answers 410 Unregistered for', async () => {
    const device = uid('device');
    const token = pushToken();
    const { customerId } = await registeredPass(device, token);
    standIn.answer(token, 410, 'Unregistered');
    expect((await order(customerId, 5000)).status).toBe(201);
    expect(await dispatcher.dispatch()).toMatchObject({ unregistered: 1 });
    expect(standIn.pushes.some((p) => p.token === token)).toBe(true);
    expect((await serialsOf(device)).status).toBe(204);
  });

  it('retries later when APNs answers 503', async () => {
    const device = uid('device');
    const token = pushToken();
    const { customerId } = await registeredPass(device, token);
    standIn.answer(token, 503, 'ServiceUnavailable');
    expect((await order(customerId, 5000)).status).toBe(201);
    expect(await dispatcher.dispatch()).toMatchObject({ pushed: 0, deferred: 1 });
    // The registration stays; the row is due again after its backoff, not now.
    expect((await serialsOf(device)).status).toBe(200);
    expect(await dispatcher.dispatch()).toEqual({ pushed: 0, deferred: 0, unregistered: 0 });
  });

  it('delivers at the end of a test clock advance', async () => {
    const res = await request(h.app)
      .post('/v1/programs')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({
        name: 'Rehearsal',
        mode: 'test',
        clockStart: '2025-01-01T00:00:00Z',
        earning: { pointsPerUnit: 1 },
      });
    expect(res.status).toBe(201);
    auth = { Authorization: `Bearer ${res.body.apiKey}` };
    const device = uid('device');
    const token = pushToken();
    const { customerId } = await registeredPass(device, token);
    expect((await order(customerId, 5000)).status).toBe(201);
    const advance = await request(h.app)
      .post('/v1/test-clock/advance')
      .set(auth)
      .send({ to: '2025-01-02T00:00:00Z' });
    expect(advance.status).toBe(200);
    expect(standIn.pushes.filter((p) => p.token === token)).toHaveLength(1);
  });
});

/** The customer's outbox rows: done or not, attempts, last error, seconds until due. */
async function outboxOf(customerId: string) {
  const { rows } = await db.query<{
    done: boolean;
    attempts: number;
    last_error: string | null;
    due_in: number;
  }>(
    `SELECT done_at IS NOT NULL AS done, attempts, last_error,
       extract(epoch FROM due_at - now())::float8 AS due_in
     FROM outbox WHERE program_id = $1 AND customer_id = $2 AND kind = 'apple_pass_changed' ORDER BY id`,
    [programId, customerId],
  );
  return rows;
}
const pushesTo = (token: string) => standIn.pushes.filter((p) => p.token === token);

describe('batched dispatch', () => {
  it('gives each pass of one claimed batch its own outcome', async () => {
    const tokens = {
      gone: pushToken(),
      busy: pushToken(),
      broken: pushToken(),
      recent: pushToken(),
      fine: pushToken(),
    };
    const devices = { gone: uid('device'), busy: uid('device'), idle: uid('device') };
    const gone = await registeredPass(devices.gone, tokens.gone);
    const busy = await registeredPass(devices.busy, tokens.busy);
    const broken = await registeredPass(uid('device'), tokens.broken);
    const recent = await registeredPass(uid('device'), tokens.recent);
    const fine = await registeredPass(uid('device'), tokens.fine);
    const idleToken = pushToken();
    const idle = await registeredPass(devices.idle, idleToken);
    standIn.answer(tokens.gone, 410, 'Unregistered');
    standIn.answer(tokens.busy, 429, 'TooManyRequests');
    standIn.answer(tokens.broken, 500, 'InternalServerError');
    // `recent` was pushed a moment ago; `idle` has a row but its only device left since.
    expect((await order(recent.customerId, 100)).status).toBe(201);
    expect((await dispatcher.dispatch()).pushed).toBeGreaterThanOrEqual(1);
    expect(pushesTo(tokens.recent)).toHaveLength(1);
    expect((await order(idle.customerId, 100)).status).toBe(201);
    const left = await request(h.app)
      .delete(
        `/wallet/apple/v1/devices/${devices.idle}/registrations/${PASS_TYPE_ID}/${encodeURIComponent(idle.serial)}`,
      )
      .set('Authorization', `ApplePass ${idle.token}`);
    expect(left.status).toBe(200);
    for (const c of [gone, busy, broken, recent, fine])
      expect((await order(c.customerId, 5000)).status).toBe(201);

    const report = await dispatcher.dispatch();
    // Rows of earlier tests may come due meanwhile (and be retried): they add to `deferred` only.
    expect(report.pushed).toBe(2);
    expect(report.unregistered).toBe(1);
    expect(report.deferred).toBeGreaterThanOrEqual(3);

    // 410: pushed once, registration gone, row done.
    expect(pushesTo(tokens.gone)).toHaveLength(1);
    expect((await serialsOf(devices.gone)).status).toBe(204);
    expect(await outboxOf(gone.customerId)).toEqual([expect.objectContaining({ done: true })]);
    // 429 and 500: an attempt counted, due again after the first backoff (2 s), registration kept.
    for (const c of [busy, broken]) {
      const [row] = await outboxOf(c.customerId);
      expect(row).toMatchObject({
        done: false,
        attempts: 1,
        last_error: 'APNs asked to retry 1 of 1 tokens',
      });
      expect(row?.due_in).toBeGreaterThan(0);
      expect(row?.due_in).toBeLessThanOrEqual(2);
    }
    expect((await serialsOf(devices.busy)).status).toBe(200);
    // Coalesced: not pushed again, postponed to the end of its minute without an attempt.
    expect(pushesTo(tokens.recent)).toHaveLength(1);
    const recentRows = await outboxOf(recent.customerId);
    expect(recentRows[0]).toMatchObject({ done: true });
    expect(recentRows[1]).toMatchObject({ done: false, attempts: 0, last_error: null });
    expect(recentRows[1]?.due_in).toBeGreaterThan(30);
    expect(recentRows[1]?.due_in).toBeLessThanOrEqual(60);
    // No device any more: done, nothing sent.
    expect(await outboxOf(idle.customerId)).toEqual([expect.objectContaining({ done: true })]);
    expect(pushesTo(idleToken)).toHaveLength(0);
    // Pushed once, row done, and the tag recorded is the one a single pass build computes.
    expect(pushesTo(tokens.fine)).toEqual([{ token: tokens.fine, topic: PASS_TYPE_ID, body: '' }]);
    expect(await outboxOf(fine.customerId)).toEqual([expect.objectContaining({ done: true })]);
    const scope = h.store.scoped(programId);
    const stored = await scope.passes.get(fine.customerId);
    const program = await scope.program.get();
    const single = await h.passes.refreshTag(
      { program, now: programNow(program, { now: () => new Date() }) },
      fine.customerId,
    );
    expect(single).toEqual({
      serial: fine.serial,
      updateTag: stored?.updateTag,
      lastModified: stored?.updatedAt,
    });
  });

  it('fails only the pass whose tag cannot be refreshed, and abandons it after the last attempt', async () => {
    const good = await registeredPass(uid('device'), pushToken());
    const bad = await registeredPass(uid('device'), pushToken());
    const worn = await registeredPass(uid('device'), pushToken());
    for (const c of [good, bad, worn]) expect((await order(c.customerId, 5000)).status).toBe(201);
    await db.query('UPDATE outbox SET attempts = 11 WHERE program_id = $1 AND customer_id = $2', [
      programId,
      worn.customerId,
    ]);
    // The real pass service, except that two passes cannot be built.
    const broken = new Set([bad.customerId, worn.customerId]);
    const passes: Pick<PassService, 'refreshTags'> = {
      async refreshTags(ctx, list) {
        const out = await h.passes.refreshTags(
          ctx,
          list.filter((p) => !broken.has(p.customerId)),
        );
        for (const id of broken)
          if (list.some((p) => p.customerId === id)) out.set(id, new Error('design broken'));
        return out;
      },
    };
    const errors: unknown[] = [];
    const own = new OutboxWorker({ logger: { error: () => {} } }).register(
      new ApplePushHandler({
        store: h.store,
        passes: passes as PassService,
        sender: sender as ApnsPushSender,
        topic: PASS_TYPE_ID,
        clock: { now: () => new Date() },
        logger: { warn: () => {}, error: (obj: unknown) => errors.push(obj) } as never,
      }),
    );
    const report = await own.dispatch();
    expect(report.pushed).toBeGreaterThanOrEqual(1);
    expect(await outboxOf(good.customerId)).toEqual([expect.objectContaining({ done: true })]);
    expect(await outboxOf(bad.customerId)).toEqual([
      expect.objectContaining({ done: false, attempts: 1, last_error: 'design broken' }),
    ]);
    expect(await outboxOf(worn.customerId)).toEqual([expect.objectContaining({ done: true, attempts: 11 })]);
    expect(errors).toEqual([expect.objectContaining({ error: 'design broken', attempts: 12 })]);
  });

  it('pushes a pass once when its rows fall into consecutive batches', async () => {
    const token = pushToken();
    const { customerId } = await registeredPass(uid('device'), token);
    expect((await order(customerId, 5000)).status).toBe(201);
    expect((await order(customerId, 100)).status).toBe(201);
    // One row per batch: the second batch is prepared while the first is being pushed.
    const own = new OutboxWorker({ logger: { error: () => {} } }).register(
      new ApplePushHandler({
        store: h.store,
        passes: h.passes,
        sender: sender as ApnsPushSender,
        topic: PASS_TYPE_ID,
        clock: { now: () => new Date() },
        logger: { warn: () => {}, error: () => {} } as never,
        batchSize: 1,
      }),
    );
    await own.dispatch();
    expect(pushesTo(token)).toHaveLength(1);
    const rows = await outboxOf(customerId);
    expect(rows[0]).toMatchObject({ done: true });
    expect(rows[1]).toMatchObject({ done: false, attempts: 0 });
    expect(rows[1]?.due_in).toBeGreaterThan(30);
  });
});
