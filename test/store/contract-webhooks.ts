import type { WebhookEventType } from '../../src/domain/webhook-event-types.js';
import type { ProgramScope } from '../../src/store/port.js';
import type {
  ClaimedDelivery,
  DeliveryOutcome,
  NewWebhookSubscription,
} from '../../src/store/webhook-port.js';
import {
  appendEntries,
  at,
  emitEvents,
  entry,
  newCustomer,
  newProgram,
  type StoreRef,
  T0,
  uid,
} from './contract-fixtures.js';

/**
 * Webhooks (SPEC 5, docs/decisions/0013 and 0032): subscriptions and their states, events matched
 * to the enabled subscriptions that want them, the delivery log with its attempts, redeliveries
 * and pings, and the dispatcher's claims across programs (which tolerate other programs' rows).
 */
export function webhookContract(store: StoreRef): void {
  describe('webhooks', () => {
    let scope: ProgramScope;
    const subscribe = (events: WebhookEventType[], overrides: Partial<NewWebhookSubscription> = {}) =>
      scope.webhooks.create({
        id: uid('wh'),
        url: `https://example.com/${uid('hook')}`,
        events,
        format: 'standard',
        secret: uid('whsec'),
        now: T0,
        ...overrides,
      });
    const emit = (customerId: string, type: WebhookEventType, minute = 1, data: object = {}) =>
      scope.customerTransaction(customerId, (tx) =>
        emitEvents(tx, [{ customerId, type, data, at: at(minute) }]),
      );
    /** This program's due deliveries at `now`. */
    const claim = (now = at(60), leaseMs = 60_000) =>
      store().webhookDeliveries.claim({ limit: 100, leaseMs, now, programId: scope.programId });
    const outcome = (
      delivery: ClaimedDelivery,
      result: DeliveryOutcome['result'],
      when: Date,
      more: Partial<DeliveryOutcome> = {},
    ): DeliveryOutcome => ({
      delivery,
      at: when,
      status: result === 'delivered' ? 204 : 500,
      error: result === 'delivered' ? null : 'HTTP 500',
      durationMs: 12,
      result,
      nextDueAt: result === 'retry' ? at(90) : null,
      disable: null,
      ...more,
    });
    beforeEach(async () => {
      scope = await newProgram(store());
    });

    it('stores subscriptions, lists those not deleted oldest first, and removes one once', async () => {
      const first = await subscribe(['tier.upgraded', 'tier.downgraded'], { format: 'klaviyo', now: T0 });
      expect(first).toEqual({
        id: expect.any(String),
        url: expect.stringMatching(/^https:\/\/example\.com\//),
        events: ['tier.upgraded', 'tier.downgraded'],
        format: 'klaviyo',
        state: 'enabled',
        disabledReason: null,
        disabledAt: null,
        failingSince: null,
        previousSecretUntil: null,
        createdAt: T0,
        updatedAt: T0,
      });
      const second = await subscribe(['customer.tags_changed'], { now: at(1) });
      expect(await scope.webhooks.list()).toEqual([first, second]);
      expect(await scope.webhooks.get(first.id)).toEqual(first);
      expect(await scope.webhooks.get('nope')).toBeNull();
      // Another program sees none of them.
      const other = await newProgram(store());
      expect(await other.webhooks.list()).toEqual([]);
      expect(await other.webhooks.get(first.id)).toBeNull();
      expect(await other.webhooks.remove(first.id, at(2))).toBe(false);

      expect(await scope.webhooks.remove(first.id, at(2))).toBe(true);
      expect(await scope.webhooks.remove(first.id, at(3))).toBe(false);
      expect(await scope.webhooks.get(first.id)).toBeNull();
      expect(await scope.webhooks.list()).toEqual([second]);
      expect(await scope.webhooks.enable(first.id, at(3))).toBeNull();
      expect(await scope.webhooks.enable('nope', at(3))).toBeNull();
    });

    it('stores an event as given, delivered to each enabled subscription that wants its type', async () => {
      const customer = await newCustomer(scope);
      await scope.transaction((tx) =>
        appendEntries(tx, customer, [entry('e1', { current: 70, carry: 70, lifetimeEarned: 70 })]),
      );
      const wants = await subscribe(['tier.upgraded']);
      const other = await subscribe(['tier.downgraded']);
      const secret = uid('whsec');
      const also = await subscribe(['tier.downgraded', 'tier.upgraded'], { secret });
      // Events arrive complete (domain/webhook-events.ts `announce`); the store adds nothing.
      const announced = {
        tierId: 'gold',
        customer: { id: customer, email: `${customer}@example.com` },
        balances: { current: 70, carry: 70, lifetimeEarned: 70, lifetimeSpend: 0 },
      };
      await emit(customer, 'tier.upgraded', 1, announced);
      // Nobody wants tags changes: nothing is written for them.
      await emit(customer, 'customer.tags_changed', 2);
      const claimed = await claim();
      expect(claimed.map((d) => d.subscriptionId).sort()).toEqual([wants.id, also.id].sort());
      const mine = claimed.find((d) => d.subscriptionId === also.id);
      expect(mine).toEqual({
        id: expect.any(String),
        programId: scope.programId,
        programMode: 'live',
        subscriptionId: also.id,
        url: also.url,
        format: 'standard',
        secret,
        previousSecret: null,
        previousSecretUntil: null,
        customerId: customer,
        event: {
          id: expect.any(String),
          type: 'tier.upgraded',
          data: announced,
          occurredAt: at(1),
        },
        attempts: 0,
        dueAt: at(1),
        firstAttemptAt: null,
        failingSince: null,
      });
      // One event, delivered to both subscriptions.
      expect(new Set(claimed.map((d) => d.event.id)).size).toBe(1);
      expect((await scope.webhooks.deliveries(other.id, { limit: 10 })).items).toEqual([]);
      // A rolled-back change announces nothing.
      await expect(
        scope.customerTransaction(customer, async (tx) => {
          await emitEvents(tx, [{ customerId: customer, type: 'tier.upgraded', data: {}, at: at(3) }]);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect((await scope.webhooks.deliveries(wants.id, { limit: 10 })).items).toHaveLength(1);
    });

    it('tells the dispatcher’s listeners after a commit that queued deliveries, only then', async () => {
      let told = 0;
      store().webhookDeliveries.onQueued(() => {
        told += 1;
      });
      const customer = await newCustomer(scope);
      await emit(customer, 'tier.upgraded', 1);
      // No subscription wants it: nothing queued, nobody told.
      expect(told).toBe(0);
      await subscribe(['tier.upgraded']);
      await expect(
        scope.customerTransaction(customer, async (tx) => {
          await emitEvents(tx, [{ customerId: customer, type: 'tier.upgraded', data: {}, at: at(2) }]);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(told).toBe(0);
      await emit(customer, 'tier.upgraded', 3);
      expect(told).toBeGreaterThanOrEqual(1);
    });

    it('logs deliveries newest first with their attempts, in pages', async () => {
      const customer = await newCustomer(scope);
      const sub = await subscribe(['tier.upgraded']);
      await emit(customer, 'tier.upgraded', 1);
      const [d] = await claim();
      if (!d) throw new Error('a delivery expected');
      await store().webhookDeliveries.complete([outcome(d, 'retry', at(60))]);
      const [retried] = await claim(at(90));
      if (!retried) throw new Error('the retry expected');
      await store().webhookDeliveries.complete([outcome(retried, 'delivered', at(90), { status: 200 })]);
      await emit(customer, 'tier.upgraded', 100);
      await emit(customer, 'tier.upgraded', 101);

      const page1 = await scope.webhooks.deliveries(sub.id, { limit: 2 });
      expect(page1.items).toHaveLength(2);
      expect(page1.nextCursor).not.toBeNull();
      const page2 = await scope.webhooks.deliveries(sub.id, { limit: 2, cursor: page1.nextCursor ?? '' });
      expect(page2).toEqual({ items: [expect.objectContaining({ id: d.id })], nextCursor: null });
      expect(page1.items.map((x) => x.dueAt)).toEqual([at(101), at(100)]);
      expect(page2.items[0]).toEqual({
        id: d.id,
        subscriptionId: sub.id,
        eventId: d.event.id,
        eventType: 'tier.upgraded',
        customerId: customer,
        state: 'delivered',
        dueAt: at(90),
        lastStatus: 200,
        lastError: null,
        redeliveryOf: null,
        doneAt: at(90),
        createdAt: expect.any(Date),
        attempts: [
          { at: at(60), status: 500, error: 'HTTP 500', durationMs: 12 },
          { at: at(90), status: 200, error: null, durationMs: 12 },
        ],
      });
      expect(page1.items[0]).toMatchObject({ state: 'pending', attempts: [], doneAt: null });
      // Another program's log is its own.
      expect((await (await newProgram(store())).webhooks.deliveries(sub.id, { limit: 10 })).items).toEqual(
        [],
      );
    });

    it('keeps a failing streak, disables with a reason, and resumes pending deliveries when enabled', async () => {
      const customer = await newCustomer(scope);
      const sub = await subscribe(['tier.upgraded']);
      await emit(customer, 'tier.upgraded', 1);
      let [d] = await claim();
      if (!d) throw new Error('a delivery expected');
      await store().webhookDeliveries.complete([outcome(d, 'retry', at(60))]);
      expect(await scope.webhooks.get(sub.id)).toMatchObject({ state: 'enabled', failingSince: at(60) });
      [d] = await claim(at(90));
      if (!d) throw new Error('the retry expected');
      expect(d).toMatchObject({ attempts: 1, failingSince: at(60), firstAttemptAt: at(60) });
      await store().webhookDeliveries.complete([
        outcome(d, 'retry', at(90), { status: 410, error: 'HTTP 410', disable: 'receiver gone (410)' }),
      ]);
      const disabled = await scope.webhooks.get(sub.id);
      expect(disabled).toMatchObject({
        state: 'disabled',
        disabledReason: 'receiver gone (410)',
        disabledAt: at(90),
        failingSince: at(60),
      });
      // Disabled: its pending delivery waits, and new events do not reach it.
      expect(await claim(at(200))).toEqual([]);
      await emit(customer, 'tier.upgraded', 120);
      expect((await scope.webhooks.deliveries(sub.id, { limit: 10 })).items).toHaveLength(1);

      const enabled = await scope.webhooks.enable(sub.id, at(150));
      expect(enabled).toMatchObject({
        state: 'enabled',
        disabledReason: null,
        disabledAt: null,
        failingSince: null,
        updatedAt: at(150),
      });
      const [resumed] = await claim(at(200));
      expect(resumed).toMatchObject({ id: d.id, attempts: 2 });
      if (!resumed) throw new Error('resumed');
      await store().webhookDeliveries.complete([outcome(resumed, 'delivered', at(200))]);
      expect(await scope.webhooks.get(sub.id)).toMatchObject({ state: 'enabled', failingSince: null });
    });

    it('fails the pending deliveries of a removed subscription', async () => {
      const customer = await newCustomer(scope);
      const sub = await subscribe(['tier.upgraded']);
      await emit(customer, 'tier.upgraded', 1);
      expect(await scope.webhooks.remove(sub.id, at(2))).toBe(true);
      expect(await claim()).toEqual([]);
      const [gone] = (await scope.webhooks.deliveries(sub.id, { limit: 10 })).items;
      expect(gone).toMatchObject({ state: 'failed', doneAt: at(2) });
    });

    it('redelivers a logged delivery as a new pending one of the same event', async () => {
      const customer = await newCustomer(scope);
      const sub = await subscribe(['tier.upgraded']);
      const another = await subscribe(['tier.upgraded']);
      await emit(customer, 'tier.upgraded', 1);
      const [d] = (await claim()).filter((x) => x.subscriptionId === sub.id);
      if (!d) throw new Error('a delivery expected');
      await store().webhookDeliveries.complete([outcome(d, 'failed', at(60))]);
      const again = await scope.webhooks.redeliver(sub.id, d.id, at(70));
      expect(again).toMatchObject({
        subscriptionId: sub.id,
        eventId: d.event.id,
        eventType: 'tier.upgraded',
        customerId: customer,
        state: 'pending',
        dueAt: at(70),
        redeliveryOf: d.id,
        attempts: [],
      });
      expect(again?.id).not.toBe(d.id);
      expect(await scope.webhooks.redeliver(sub.id, '999999999', at(70))).toBeNull();
      expect(await scope.webhooks.redeliver(another.id, d.id, at(70))).toBeNull();
      expect(await (await newProgram(store())).webhooks.redeliver(sub.id, d.id, at(70))).toBeNull();
      const [claimed] = (await claim(at(70))).filter((x) => x.subscriptionId === sub.id);
      expect(claimed).toMatchObject({ id: again?.id, event: { id: d.event.id }, attempts: 0 });
    });

    it('pings an enabled subscription whatever its filter, and no other', async () => {
      const sub = await subscribe(['customer.tags_changed']);
      const ping = await scope.webhooks.ping(sub.id, { hello: 'world' }, at(5));
      expect(ping).toMatchObject({
        subscriptionId: sub.id,
        eventType: 'ping',
        customerId: null,
        state: 'pending',
        dueAt: at(5),
        redeliveryOf: null,
        attempts: [],
      });
      const [claimed] = await claim(at(5));
      expect(claimed).toMatchObject({
        id: ping?.id,
        customerId: null,
        event: { type: 'ping', data: expect.objectContaining({ hello: 'world' }), occurredAt: at(5) },
      });
      expect(await scope.webhooks.ping('nope', {}, at(5))).toBeNull();
      expect(await (await newProgram(store())).webhooks.ping(sub.id, {}, at(5))).toBeNull();
      await scope.webhooks.remove(sub.id, at(6));
      expect(await scope.webhooks.ping(sub.id, {}, at(7))).toBeNull();
    });

    it('claims across programs, at the test clock for test programs', async () => {
      const live = scope;
      const liveCustomer = await newCustomer(live);
      await subscribe(['tier.upgraded']);
      await emit(liveCustomer, 'tier.upgraded', 1);
      scope = await newProgram(store(), 'test');
      const testCustomer = await newCustomer(scope);
      await subscribe(['tier.upgraded']);
      await emit(testCustomer, 'tier.upgraded', 10);
      const ours = new Set([live.programId, scope.programId]);
      const claimAll = async (now: Date) =>
        (await store().webhookDeliveries.claim({ limit: 1000, leaseMs: 60_000, now })).filter((d) =>
          ours.has(d.programId),
        );
      // The test program's clock (T0) is before its event: only the live one is due, however late `now` is.
      const first = await claimAll(at(24 * 60));
      expect(first.map((d) => [d.programId, d.programMode, d.customerId])).toEqual([
        [live.programId, 'live', liveCustomer],
      ]);
      await scope.program.setClock(at(10));
      const second = await claimAll(at(0));
      expect(second.map((d) => [d.programId, d.programMode, d.customerId])).toEqual([
        [scope.programId, 'test', testCustomer],
      ]);
      // Both are leased now.
      expect(await claimAll(at(24 * 60))).toEqual([]);
    });

    it('rotates a secret: the current one becomes the previous one until the overlap ends', async () => {
      const first = uid('sealed-first');
      const sub = await subscribe(['tier.upgraded'], { secret: first });
      const second = uid('sealed-second');
      const rotated = await scope.webhooks.rotateSecret(sub.id, {
        secret: second,
        previousUntil: at(60),
        now: at(1),
      });
      expect(rotated).toEqual({ ...sub, previousSecretUntil: at(60), updatedAt: at(1) });
      expect(await scope.webhooks.get(sub.id)).toEqual(rotated);
      const customer = await newCustomer(scope);
      await emit(customer, 'tier.upgraded', 2);
      const [d] = await claim();
      expect(d).toMatchObject({ secret: second, previousSecret: first, previousSecretUntil: at(60) });
      if (!d) throw new Error('a delivery expected');
      await store().webhookDeliveries.complete([outcome(d, 'delivered', at(3))]);

      // Rotating again replaces the previous one; an overlap ending at `now` keeps none.
      const third = uid('sealed-third');
      const again = await scope.webhooks.rotateSecret(sub.id, {
        secret: third,
        previousUntil: at(4),
        now: at(4),
      });
      expect(again?.previousSecretUntil).toBeNull();
      await emit(customer, 'tier.upgraded', 5);
      const [d2] = await claim();
      expect(d2).toMatchObject({ secret: third, previousSecret: null, previousSecretUntil: null });

      // Missing, deleted, or another program's: nothing changes.
      expect(
        await scope.webhooks.rotateSecret('nope', { secret: 'x', previousUntil: at(9), now: at(5) }),
      ).toBeNull();
      const other = await newProgram(store());
      expect(
        await other.webhooks.rotateSecret(sub.id, { secret: 'x', previousUntil: at(9), now: at(5) }),
      ).toBeNull();
      expect(await scope.webhooks.remove(sub.id, at(6))).toBe(true);
      expect(
        await scope.webhooks.rotateSecret(sub.id, { secret: 'x', previousUntil: at(9), now: at(7) }),
      ).toBeNull();
    });

    it('re-seals stored secrets not under the current prefix, each row only if unchanged', async () => {
      const mine = new Set<string>();
      const plain = await subscribe(['tier.upgraded'], { secret: uid('plain') });
      const current = await subscribe(['tier.upgraded'], { secret: `cur.${uid('s')}` });
      const rotated = await subscribe(['tier.upgraded'], { secret: uid('old') });
      await scope.webhooks.rotateSecret(rotated.id, {
        secret: `cur.${uid('s')}`,
        previousUntil: at(60),
        now: at(1),
      });
      const removed = await subscribe(['tier.upgraded'], { secret: uid('gone') });
      await scope.webhooks.remove(removed.id, at(2));
      for (const s of [plain, current, rotated, removed]) mine.add(s.id);

      const seen: { subscriptionId: string; secret: string; previousSecret: string | null }[] = [];
      const reseal = () =>
        store().resealWebhookSecrets((row) => {
          // Other programs' rows (other tests share the database) stay as they are.
          if (row.programId !== scope.programId || !mine.has(row.subscriptionId)) return null;
          seen.push({
            subscriptionId: row.subscriptionId,
            secret: row.secret,
            previousSecret: row.previousSecret,
          });
          const up = (v: string) => (v.startsWith('cur.') ? v : `cur.${v}`);
          return { secret: up(row.secret), previousSecret: row.previousSecret && up(row.previousSecret) };
        }, 'cur.');
      // Every row with a value not under the prefix (deleted ones too), and only those.
      expect(await reseal()).toBe(3);
      expect(seen.map((r) => r.subscriptionId).sort()).toEqual([plain.id, rotated.id, removed.id].sort());
      const rotatedRow = seen.find((r) => r.subscriptionId === rotated.id);
      expect(rotatedRow?.secret.startsWith('cur.')).toBe(true);
      expect(rotatedRow?.previousSecret?.startsWith('old')).toBe(true);
      // Done: the next walk finds nothing of ours.
      seen.length = 0;
      expect(await reseal()).toBe(0);
      expect(seen).toEqual([]);

      // Two walks at once (several workers starting): each row is rewritten once, by one of them.
      const fresh = await Promise.all(
        [1, 2, 3].map(() => subscribe(['tier.upgraded'], { secret: uid('fresh') })),
      );
      const freshIds = new Set(fresh.map((f) => f.id));
      const walk = () =>
        store().resealWebhookSecrets((row) => {
          if (row.programId !== scope.programId || !freshIds.has(row.subscriptionId)) return null;
          return { secret: `cur.${uid('walk')}`, previousSecret: null };
        }, 'cur.');
      const [a, b] = await Promise.all([walk(), walk()]);
      expect(a + b).toBe(3);
      const customer = await newCustomer(scope);
      await emit(customer, 'tier.upgraded', 10);
      const claimed = (await claim()).filter((d) => freshIds.has(d.subscriptionId));
      expect(claimed).toHaveLength(3);
      for (const d of claimed) expect(d.secret).toMatch(/^cur\.walk/);
    });
  });
}
