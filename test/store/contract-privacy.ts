import type { ProgramScope } from '../../src/store/port.js';
import {
  appendEntries,
  at,
  emitEvents,
  entry,
  newCustomer,
  newProgram,
  recordChange,
  type StoreRef,
  subscribe,
  T0,
  uid,
} from './contract-fixtures.js';

/**
 * Privacy operations of the port (src/store/privacy-port.ts, docs/decisions/0043): the export's
 * reads, the erasure of one customer's personal data, the deletion of a program.
 */
export function privacyContract(store: StoreRef): void {
  describe('privacy', () => {
    let scope: ProgramScope;
    beforeEach(async () => {
      scope = await newProgram(store());
    });

    /** A customer with personal data in the customer row, a stored response, a reason and an event. */
    async function personal(email: string, name: string) {
      const id = await newCustomer(scope);
      await subscribe(scope, ['tier.upgraded', 'customer.tags_changed']);
      const customerView = { id, email, name, tags: ['vip'] };
      await scope.transaction(async (tx) => {
        await tx.customers.upsert(id, { email, name, tags: ['vip'] }, T0);
        await appendEntries(tx, id, [
          entry(uid('k'), { current: 100, lifetimeEarned: 100 }),
          entry(uid('k'), { current: 5 }, { type: 'adjust', reason: `for ${name}` }),
        ]);
        await tx.orders.insert({
          id: uid('order'),
          customerId: id,
          amount: 1000,
          placedAt: T0,
          earnedAt: T0,
          pointsAwarded: 0,
          requestHash: 'h',
          response: { order: { id: 'x' }, customer: customerView, entries: [{ reason: `for ${name}` }] },
        });
        await tx.idempotency.insert({
          key: uid('idem'),
          requestHash: 'h',
          status: 201,
          response: { customer: customerView },
        });
        await recordChange(tx, {
          customerId: id,
          fromTierId: null,
          toTierId: null,
          direction: 'up',
          reason: 'qualified',
          facts: { tags: ['vip'], lifetimeEarned: 100 },
          at: T0,
        });
        await emitEvents(tx, [
          {
            customerId: id,
            type: 'customer.tags_changed',
            data: { added: ['vip'], removed: [], tags: ['vip'], customer: { id, email } },
            at: T0,
          },
        ]);
      });
      return id;
    }

    it('erases email, name, tags and their copies, keeps balances, queues the passes, and a replay writes nothing', async () => {
      const id = await personal('ada@example.com', 'Ada');
      await scope.googleWallet.ensureObject(id, `issuer.${uid('obj')}`, T0);
      const before = await scope.customers.get(id);
      expect(await scope.privacy.redactedAt(id)).toBeNull();

      expect(await scope.privacy.redactCustomer(id, at(5))).toEqual({ redactedAt: at(5), changed: true });
      const after = await scope.customers.get(id);
      expect(after).toMatchObject({ email: null, name: null, tags: [] });
      expect(after?.balances).toEqual(before?.balances);
      expect(await scope.ledger.sum(id)).toEqual(after?.balances);
      const ledger = await scope.ledger.list(id, { limit: 10 });
      expect(ledger.items.map((e) => e.reason)).toEqual([null, null]);
      expect(ledger.items.map((e) => e.points)).toEqual([5, 100]);
      const orders = await scope.orders.listByCustomer(id, { limit: 10 });
      expect(JSON.stringify(orders.items[0]?.response)).not.toMatch(/ada|vip/i);
      expect(orders.items[0]?.response).toMatchObject({
        order: { id: 'x' },
        customer: { id, email: null, name: null, tags: [] },
      });
      const changes = await scope.tierChanges.list(id, { limit: 10 });
      expect(changes.items.map((c) => c.facts)).toEqual([{ tags: [], lifetimeEarned: 100 }]);
      const events = await scope.privacy.webhookEventsOf(id, { limit: 10 });
      expect(events.items).toHaveLength(1);
      expect(events.items[0]?.data).toMatchObject({
        added: [],
        removed: [],
        tags: [],
        customer: { id, email: null },
      });
      expect(await scope.privacy.redactedAt(id)).toEqual(at(5));
      const queued = (await store().outbox.claim('google_object_changed', 1000, 60_000)).filter(
        (i) => i.programId === scope.programId && i.customerId === id,
      );
      expect(queued).toHaveLength(1);
      await store().outbox.done(queued.map((i) => i.id));

      // Replay: nothing written, the first time kept, nothing queued.
      expect(await scope.privacy.redactCustomer(id, at(9))).toEqual({ redactedAt: at(5), changed: false });
      expect((await scope.customers.get(id))?.updatedAt).toEqual(after?.updatedAt);
      expect(
        (await store().outbox.claim('google_object_changed', 1000, 60_000)).filter(
          (i) => i.programId === scope.programId,
        ),
      ).toEqual([]);
    });

    it('answers null for an unknown customer and never touches another program', async () => {
      const id = await personal('bob@example.com', 'Bob');
      const other = await newProgram(store());
      expect(await other.privacy.redactCustomer(id, T0)).toBeNull();
      expect(await other.privacy.redactCustomer(uid('nobody'), T0)).toBeNull();
      expect((await scope.customers.get(id))?.email).toBe('bob@example.com');
      expect((await other.privacy.webhookEventsOf(id, { limit: 10 })).items).toEqual([]);
    });

    it('pages webhook events oldest first and refuses a forged cursor', async () => {
      const id = await newCustomer(scope);
      await subscribe(scope, ['customer.tags_changed']);
      await scope.transaction((tx) =>
        emitEvents(
          tx,
          [1, 2, 3].map((i) => ({
            customerId: id,
            type: 'customer.tags_changed' as const,
            data: { added: [`t${i}`], removed: [], tags: [`t${i}`] },
            at: at(i),
          })),
        ),
      );
      const first = await scope.privacy.webhookEventsOf(id, { limit: 2 });
      expect(first.items.map((e) => e.occurredAt)).toEqual([at(1), at(2)]);
      expect(first.nextCursor).not.toBeNull();
      const rest = await scope.privacy.webhookEventsOf(id, {
        limit: 2,
        cursor: first.nextCursor ?? undefined,
      });
      expect(rest.items.map((e) => e.occurredAt)).toEqual([at(3)]);
      expect(rest.nextCursor).toBeNull();
      await expect(scope.privacy.webhookEventsOf(id, { limit: 2, cursor: 'not-a-cursor' })).rejects.toThrow(
        RangeError,
      );
    });

    it('lists passes with their registrations and the Google object, without tokens or device ids', async () => {
      const id = await newCustomer(scope);
      expect(await scope.privacy.passesOf(id)).toEqual([]);
      expect(await scope.privacy.googleObjectOf(id)).toBeNull();
      const serial = `${scope.programId}.${uid('s')}`;
      await scope.passes.ensure(id, { serial, authTokenHash: uid('hash') }, T0);
      await scope.passRegistrations.register('device-1', serial, 'push-token-1', at(1));
      const objectId = `issuer.${uid('obj')}`;
      await scope.googleWallet.ensureObject(id, objectId, at(2));
      const passes = await scope.privacy.passesOf(id);
      expect(passes).toEqual([
        {
          serial,
          createdAt: T0,
          updatedAt: expect.any(Date),
          registrations: [{ createdAt: at(1), updatedAt: at(1) }],
        },
      ]);
      expect(JSON.stringify(passes)).not.toMatch(/device-1|push-token-1/);
      expect(await scope.privacy.googleObjectOf(id)).toEqual({
        objectId,
        tierId: null,
        syncedAt: null,
        createdAt: at(2),
      });
    });

    it('deletes a program with every row it owns and nothing of another', async () => {
      const id = await personal('carol@example.com', 'Carol');
      const serial = `${scope.programId}.${uid('s')}`;
      await scope.passes.ensure(id, { serial, authTokenHash: uid('hash') }, T0);
      await scope.passRegistrations.register(uid('device'), serial, 'tok', T0);
      const keyHash = uid('keyhash');
      const doomed = await store().createProgram(
        {
          name: uid('Doomed'),
          mode: 'live',
          settings: (await scope.program.get()).settings,
          clockNow: null,
          now: T0,
        },
        keyHash,
      );
      const kept = scope;
      const gone = store().scoped(doomed.id);
      const goneCustomer = await newCustomer(gone);
      await gone.transaction((tx) => appendEntries(tx, goneCustomer, [entry(uid('k'), { current: 1 })]));

      const deleted = await store().deleteProgram(doomed.id);
      expect(deleted).toMatchObject({ programs: 1, customers: 1, ledger_entries: 1, api_keys: 1 });
      expect(await store().findProgramByApiKeyHash(keyHash)).toBeNull();
      expect(await gone.customers.get(goneCustomer)).toBeNull();
      expect(await store().deleteProgram(doomed.id)).toBeNull();
      // The other program keeps everything.
      expect((await kept.customers.get(id))?.email).toBe('carol@example.com');
      expect(await kept.privacy.passesOf(id)).toHaveLength(1);
    });
  });
}
