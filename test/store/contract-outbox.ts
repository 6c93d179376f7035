import type { OutboxItem, OutboxKind } from '../../src/store/outbox-port.js';
import type { ProgramScope } from '../../src/store/port.js';
import type { ClaimedDelivery, DeliveryOutcome } from '../../src/store/webhook-port.js';
import {
  at,
  newCustomer,
  newProgram,
  type StoreRef,
  outcome as storedOutcome,
  subscribe,
  T0,
  uid,
} from './contract-fixtures.js';

/** Real time passing (leases are database time): a lease of 1 ms has ended after this. */
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What the outbox worker relies on, for its three kinds (docs/decisions/0034-one-outbox-worker.md):
 * outbox rows (Apple pushes, Google objects), webhook deliveries and the Google Wallet state.
 * Claims, leases (a crashed worker's items come back), done / retry with backoff, attempts and
 * errors, per-customer order, tenancy. Outbox claims are across programs, so each test keeps
 * only its own program's rows of what it claims.
 */
export function outboxContract(store: StoreRef): void {
  describe('outbox', () => {
    let scope: ProgramScope;
    /** Claim up to 1,000 due rows of `kind` and keep this program's. */
    const claim = async (kind: OutboxKind, leaseMs = 60_000): Promise<OutboxItem[]> =>
      (await store().outbox.claim(kind, 1000, leaseMs)).filter((i) => i.programId === scope.programId);
    /** A customer with a Google Wallet object and an Apple pass on a device: both kinds queue. */
    const walletCustomer = async (): Promise<string> => {
      const customer = await newCustomer(scope);
      await scope.googleWallet.ensureObject(customer, `issuer.${uid('obj')}`, T0);
      const pass = await scope.passes.ensure(
        customer,
        { serial: `${scope.programId}.${uid('s')}`, authTokenHash: uid('hash') },
        T0,
      );
      await scope.passRegistrations.register(uid('device'), pass.serial, uid('token'), T0);
      return customer;
    };
    const changed = (customer: string) =>
      scope.transaction((tx) => tx.outcomes.store(storedOutcome(customer, { passes: ['apple', 'google'] })));
    beforeEach(async () => {
      scope = await newProgram(store());
    });

    it('queues each kind for the customers that have it, and tells listeners after the commit', async () => {
      let told = 0;
      store().outbox.onQueued(() => {
        told += 1;
      });
      const wallet = await walletCustomer();
      const plain = await newCustomer(scope);
      await changed(plain);
      expect(told).toBe(0);
      await changed(wallet);
      expect(told).toBeGreaterThanOrEqual(1);
      expect(await claim('apple_pass_changed')).toEqual([
        {
          id: expect.any(String),
          programId: scope.programId,
          customerId: wallet,
          kind: 'apple_pass_changed',
          attempts: 0,
        },
      ]);
      expect(await claim('google_object_changed')).toEqual([
        expect.objectContaining({ customerId: wallet, kind: 'google_object_changed', attempts: 0 }),
      ]);
      // A rolled-back change queues nothing.
      await expect(
        scope.transaction(async (tx) => {
          await tx.outcomes.store(storedOutcome(wallet, { passes: ['apple', 'google'] }));
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await claim('apple_pass_changed')).toEqual([]);
    });

    it('hands a claimed row to no one else until its lease ends (a crashed worker’s rows come back)', async () => {
      const customer = await walletCustomer();
      await changed(customer);
      const [first] = await claim('google_object_changed', 1);
      expect(first?.customerId).toBe(customer);
      await pause(50);
      // The first claimer never settled it: the lease ended and the row is due again.
      const again = await claim('google_object_changed');
      expect(again.map((i) => i.id)).toEqual([first?.id]);
      // A long lease keeps it from other claimers, however many ask at once.
      const racing = await Promise.all([claim('google_object_changed'), claim('google_object_changed')]);
      expect(racing.flat()).toEqual([]);
    });

    it('numbers rows in the order they were queued, so a customer’s rows keep their order', async () => {
      const a = await walletCustomer();
      const b = await walletCustomer();
      for (const customer of [a, b, a]) await changed(customer);
      // The claim's result order is not promised (one batch is handled at once); the ids are.
      const items = (await claim('apple_pass_changed')).sort((x, y) =>
        BigInt(x.id) < BigInt(y.id) ? -1 : 1,
      );
      expect(items.map((i) => i.customerId)).toEqual([a, b, a]);
    });

    it('done rows never come back; retried rows come back after their delay, counting errors only', async () => {
      const customers = [await walletCustomer(), await walletCustomer(), await walletCustomer()];
      for (const customer of customers) await changed(customer);
      const [done, later, now] = await claim('apple_pass_changed', 1);
      if (!done || !later || !now) throw new Error('three rows expected');
      await store().outbox.done([done.id]);
      // Postponed without an error (coalescing): no attempt counted.
      await store().outbox.retry([later.id], 60_000);
      await store().outbox.retry([now.id], 0, 'APNs 503');
      await pause(50);
      expect(await claim('apple_pass_changed')).toEqual([
        expect.objectContaining({ id: now.id, attempts: 1 }),
      ]);
      // retryEach: a delay and an error per row, in one call.
      await store().outbox.retryEach([
        { id: now.id, delayMs: 0, error: 'again' },
        { id: later.id, delayMs: 0 },
      ]);
      const back = await claim('apple_pass_changed');
      expect(back.map((i) => [i.id, i.attempts]).sort()).toEqual(
        [
          [now.id, 2],
          [later.id, 0],
        ].sort(),
      );
      await store().outbox.done(back.map((i) => i.id));
      await pause(50);
      expect(await claim('apple_pass_changed')).toEqual([]);
    });

    it('records push times per pass (coalescing) and push counts per program', async () => {
      const [a, b] = [await newCustomer(scope), await newCustomer(scope)];
      expect((await store().outbox.lastPushAges(scope.programId, [a])).size).toBe(0);
      await store().outbox.recordPushes(scope.programId, [a, a]);
      const ages = await store().outbox.lastPushAges(scope.programId, [a, b]);
      expect([...ages.keys()]).toEqual([a]);
      expect(ages.get(a)).toBeGreaterThanOrEqual(0);
      expect(ages.get(a)).toBeLessThan(60_000);
      // Another program's pushes are its own.
      const other = await newProgram(store());
      expect((await store().outbox.lastPushAges(other.programId, [a])).size).toBe(0);
    });
  });

  describe('webhook deliveries', () => {
    let scope: ProgramScope;
    let subscriptionId: string;
    const claim = (now: Date, leaseMs = 60_000, limit = 100) =>
      store().webhookDeliveries.claim({ limit, leaseMs, now, programId: scope.programId });
    const emit = (customer: string, minute: number, n = 1) =>
      scope.customerTransaction(customer, (tx) =>
        tx.outcomes.store(
          storedOutcome(customer, {
            at: at(minute),
            events: Array.from({ length: n }, (_, i) => ({
              customerId: customer,
              type: 'tier.upgraded' as const,
              data: { seq: i },
              at: at(minute),
            })),
          }),
        ),
      );
    const outcome = (
      d: ClaimedDelivery,
      result: DeliveryOutcome['result'],
      now: Date,
      nextDueAt: Date | null = null,
    ): DeliveryOutcome => ({
      delivery: d,
      at: now,
      status: result === 'delivered' ? 200 : 503,
      error: result === 'delivered' ? null : 'HTTP 503',
      durationMs: 3,
      result,
      nextDueAt,
      disable: null,
    });
    beforeEach(async () => {
      scope = await newProgram(store());
      subscriptionId = await subscribe(scope, ['tier.upgraded']);
    });

    it('claims what is due, one delivery per customer and subscription at a time, in order', async () => {
      const [a, b] = [await newCustomer(scope), await newCustomer(scope)];
      await emit(a, 1, 2);
      await emit(b, 2);
      await emit(a, 30);
      expect(await claim(at(0))).toEqual([]);
      const first = await claim(at(5));
      // A claimed batch is sent at once: its order among customers is not promised.
      expect(first.map((d) => [d.customerId, d.event.data.seq]).sort()).toEqual(
        [
          [a, 0],
          [b, 0],
        ].sort(),
      );
      for (const d of first) {
        expect(d).toMatchObject({ subscriptionId, attempts: 0, programMode: 'live', firstAttemptAt: null });
      }
      // a's second event waits for its first to be settled.
      expect(await claim(at(5))).toEqual([]);
      await store().webhookDeliveries.complete(first.map((d) => outcome(d, 'delivered', at(5))));
      expect((await claim(at(5))).map((d) => [d.customerId, d.event.data.seq])).toEqual([[a, 1]]);
    });

    it('a crashed claimer’s deliveries come back when the lease ends; retries at their next due time', async () => {
      const customer = await newCustomer(scope);
      await emit(customer, 1, 2);
      const [leased] = await claim(at(5), 1);
      expect(leased).toBeDefined();
      await pause(50);
      const [again] = await claim(at(5));
      expect(again?.id).toBe(leased?.id);
      if (!again) throw new Error('claimed');
      await store().webhookDeliveries.complete([outcome(again, 'retry', at(5), at(10))]);
      // Still the head of its customer's queue: the later event waits behind the retry.
      expect(await claim(at(9))).toEqual([]);
      const [retried] = await claim(at(10));
      expect(retried).toMatchObject({ id: again.id, attempts: 1, firstAttemptAt: at(5) });
      if (!retried) throw new Error('claimed');
      await store().webhookDeliveries.complete([outcome(retried, 'failed', at(10))]);
      // Given up: the next event of the customer goes.
      expect((await claim(at(10))).map((d) => d.event.data.seq)).toEqual([1]);
    });

    it('claims only the asked program’s deliveries', async () => {
      const customer = await newCustomer(scope);
      await emit(customer, 1);
      const mine = scope.programId;
      scope = await newProgram(store());
      expect(await claim(at(5))).toEqual([]);
      scope = store().scoped(mine);
      expect(await claim(at(5))).toHaveLength(1);
    });
  });

  describe('Google Wallet state', () => {
    let scope: ProgramScope;
    beforeEach(async () => {
      scope = await newProgram(store());
    });

    it('creates one object per customer, also under concurrency, and records syncs and errors', async () => {
      const customer = await newCustomer(scope);
      expect(await scope.googleWallet.object(customer)).toBeNull();
      const made = await Promise.all(
        [1, 2, 3].map((i) => scope.googleWallet.ensureObject(customer, `issuer.obj${i}`, T0)),
      );
      for (const o of made) expect(o).toEqual(made[0]);
      expect(made[0]).toMatchObject({
        customerId: customer,
        classId: null,
        contentHash: null,
        lastError: null,
      });
      await scope.googleWallet.recordError(customer, 'HTTP 400', at(1));
      expect(await scope.googleWallet.object(customer)).toMatchObject({
        lastError: 'HTTP 400',
        lastErrorAt: at(1),
      });
      await scope.googleWallet.recordSync(
        customer,
        { classId: 'issuer.gold', tierId: 't1', contentHash: 'h1' },
        at(2),
      );
      expect(await scope.googleWallet.object(customer)).toMatchObject({
        classId: 'issuer.gold',
        tierId: 't1',
        contentHash: 'h1',
        syncedAt: at(2),
        lastError: null,
      });
      // Tenancy: another program does not see it.
      expect(await (await newProgram(store())).googleWallet.object(customer)).toBeNull();
    });

    it('keeps class hashes and counts notifications over a rolling 24 hours, one slot per message', async () => {
      const customer = await newCustomer(scope);
      await scope.googleWallet.ensureObject(customer, `issuer.${uid('o')}`, T0);
      expect(await scope.googleWallet.classHash('issuer.gold')).toBeNull();
      await scope.googleWallet.setClassHash('issuer.gold', 'c1', T0);
      await scope.googleWallet.setClassHash('issuer.gold', 'c2', at(1));
      expect(await scope.googleWallet.classHash('issuer.gold')).toBe('c2');
      const take = (key: string, now: Date) => scope.googleWallet.takeNotification(customer, key, now, 2);
      const night = new Date('2025-03-01T22:00:00Z');
      const hours = (n: number) => new Date(night.getTime() + n * 3_600_000);
      // Concurrent takes of three messages: two slots, never three.
      const took = await Promise.all(['m1', 'm2', 'm3'].map((k) => take(k, night)));
      expect(took.filter((t) => t === 'taken')).toHaveLength(2);
      expect(took.filter((t) => t === 'full')).toHaveLength(1);
      const winner = ['m1', 'm2', 'm3'][took.indexOf('taken')] as string;
      // A retry of a message that took a slot finds it spent (the slot is never given back).
      expect(await take(winner, hours(1))).toBe('spent');
      // A new UTC day is not a new allowance: the window is the last 24 hours.
      expect(await take('m4', hours(3))).toBe('full');
      expect(await take('m4', hours(23.99))).toBe('full');
      // 24 hours after the first two, their slots are free again.
      expect(await take('m4', hours(24))).toBe('taken');
      expect(await take('m5', hours(24.5))).toBe('taken');
      expect(await take('m6', hours(24.5))).toBe('full');
      // Per customer: another customer's object has its own slots.
      const other = await newCustomer(scope);
      await scope.googleWallet.ensureObject(other, `issuer.${uid('o')}`, T0);
      expect(await scope.googleWallet.takeNotification(other, 'm1', hours(24.5), 2)).toBe('taken');
    });
  });
}
