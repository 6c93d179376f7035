import { CustomerService } from '../../src/features/customers/customer-service.js';
import { customerPageEvaluation } from '../../src/features/shopify/shopify-backfill-customers.js';
import type { ProgramScope, TierChangeRecord } from '../../src/store/port.js';
import type { BatchCustomerFields, PageCustomer } from '../../src/store/shopify-customer-batch-port.js';
import { order } from './contract-customers-orders.js';
import { at, newProgram, type StoreRef, subscribe, T0, tierInput, uid } from './contract-fixtures.js';

/**
 * The backfill's customer pages (shopify-customer-batch-port.ts, docs/decisions/0051 amendment):
 * a page ends exactly as the single-customer path (`CustomerService.upsert`, what a
 * `customers/update` webhook calls) leaves each of its customers, in one unit of work, and only
 * in its own program.
 */
export function shopifyCustomerBatchContract(store: StoreRef): void {
  describe('shopify customer pages', () => {
    /** Bronze for everyone, VIP by tag (tier tag `tier-vip`, 100 bonus points), Big by a $50 order. */
    async function program(): Promise<ProgramScope> {
      const scope = await newProgram(store());
      await scope.transaction(async (tx) => {
        await tx.tiers.create('bronze', tierInput('Bronze', { qualifications: [] }), T0);
        await tx.tiers.create(
          'vip',
          tierInput('VIP', {
            qualifications: [{ type: 'tag', tag: 'vip' }],
            benefits: { tag: 'tier-vip', bonusPoints: 100 },
          }),
          T0,
        );
        await tx.tiers.create(
          'big',
          tierInput('Big', { qualifications: [{ type: 'largeOrder', minAmount: 5_000 }] }),
          T0,
        );
      });
      await subscribe(scope, ['tier.upgraded', 'tier.downgraded', 'customer.tags_changed']);
      return scope;
    }

    const now = at(10);
    const contextOf = async (scope: ProgramScope) => ({ program: await scope.program.get(), now });
    const write = async (scope: ProgramScope, page: BatchCustomerFields[], when = now) => {
      const { program: p } = await contextOf(scope);
      return scope.shopifyCustomerBatch.writePage(page, when, customerPageEvaluation(p.settings, when));
    };
    /** Through the single-customer path, one transaction each, as the webhooks do. */
    const oneByOne = async (scope: ProgramScope, page: BatchCustomerFields[]) => {
      const ctx = await contextOf(scope);
      const service = new CustomerService(store());
      for (const c of page) {
        await service.upsert(ctx, c.id, {
          email: c.email,
          name: c.name,
          tags: c.tags,
          ...(c.sourceUpdatedAt ? { sourceUpdatedAt: c.sourceUpdatedAt } : {}),
        });
      }
    };
    /** Everything a customer's write leaves: the row, its tier changes, its events. */
    async function state(scope: ProgramScope, id: string) {
      const changes = await scope.tierChanges.list(id, { limit: 50 });
      const events = await scope.privacy.webhookEventsOf(id, { limit: 50 });
      return {
        customer: await scope.customers.get(id),
        redactedAt: await scope.privacy.redactedAt(id),
        // Ids and database times differ between programs; everything decided must not.
        changes: changes.items.map(({ id: _id, createdAt: _c, ...c }: TierChangeRecord) => c),
        // Events of one instant are listed by their (random) ids: compared in a fixed order.
        events: events.items
          .map((e) => ({ type: e.type, data: e.data, occurredAt: e.occurredAt }))
          .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
        balances: await scope.ledger.sum(id),
      };
    }
    /** Customers as they stand before the page: tagged, placed, with an order, erased. */
    async function seed(scope: ProgramScope, ids: Record<string, string>) {
      const ctx = await contextOf(scope);
      const service = new CustomerService(store());
      const early = { ...ctx, now: T0 };
      await service.upsert(early, ids.tagged as string, { email: 't@example.com', tags: ['vip', 'x'] });
      await service.upsert(early, ids.plain as string, { email: 'p@example.com', segments: ['seg-1'] });
      await service.upsert(early, ids.shopper as string, { email: 's@example.com' });
      await scope.transaction((tx) =>
        tx.orders.insert(order(uid('o'), ids.shopper as string, { amount: 6_000, placedAt: at(-60) })),
      );
      await service.upsert(early, ids.erased as string, {
        email: 'e@example.com',
        name: 'Erin',
        tags: ['vip'],
      });
      await scope.privacy.redactCustomer(ids.erased as string, at(1));
    }

    it('writes a page as the single-customer upsert writes each customer: fields, tiers, tags, events', async () => {
      const ids = {
        tagged: uid('tagged'),
        plain: uid('plain'),
        shopper: uid('shopper'),
        erased: uid('erased'),
        fresh: uid('fresh'),
        freshVip: uid('freshvip'),
      };
      const page: BatchCustomerFields[] = [
        // Loses the tag that made it VIP; keeps a merchant tag.
        { id: ids.tagged, email: 't2@example.com', name: 'Tess', tags: ['x'] },
        // Gains the VIP tag; its segments are not the backfill's to write.
        { id: ids.plain, email: 'p@example.com', name: null, tags: ['vip'] },
        // Its $60 order came after it was placed: the Big tier reads it now.
        { id: ids.shopper, email: null, name: 'Sam', tags: [] },
        // Erased before: a `customers/update` writes it again (decision 0043: a new act).
        { id: ids.erased, email: 'e2@example.com', name: 'Erin', tags: [] },
        { id: ids.fresh, email: 'f@example.com', name: 'Fay', tags: [] },
        { id: ids.freshVip, email: 'v@example.com', name: 'Vic', tags: ['vip'] },
      ];
      const single = await program();
      const batched = await program();
      await seed(single, ids);
      await seed(batched, ids);

      await oneByOne(single, page);
      expect(await write(batched, [...page].reverse())).toEqual({ created: 2, updated: 4 });

      for (const id of Object.values(ids)) {
        const want = await state(single, id);
        expect({ id, ...(await state(batched, id)) }).toEqual({ id, ...want });
      }
      // What that came to, spelled out.
      const tagged = await state(batched, ids.tagged);
      expect(tagged.customer).toMatchObject({ email: 't2@example.com', name: 'Tess', tags: ['x'] });
      expect(tagged.customer?.updatedAt).toEqual(now);
      const plain = await state(batched, ids.plain);
      expect(plain.customer).toMatchObject({ tierId: 'vip', tierTags: ['tier-vip'], segments: ['seg-1'] });
      expect(plain.events.map((e) => e.type)).toContain('customer.tags_changed');
      expect((await state(batched, ids.shopper)).customer?.tierId).toBe('big');
      const fresh = await state(batched, ids.freshVip);
      expect(fresh.customer).toMatchObject({ tierId: 'vip', email: 'v@example.com', name: 'Vic' });
      expect(fresh.customer?.createdAt).toEqual(now);
      expect(fresh.balances.current).toBe(100);
      const erased = await state(batched, ids.erased);
      expect(erased.customer?.email).toBe('e2@example.com');
      expect(erased.redactedAt).toEqual(at(1));
    });

    it('leaves a customer whose stored shop time is later than the page’s, as the single upsert does', async () => {
      const ids = { live: uid('live'), older: uid('older'), untimed: uid('untimed'), fresh: uid('fresh') };
      const single = await program();
      const batched = await program();
      for (const scope of [single, batched]) {
        const ctx = await contextOf(scope);
        const service = new CustomerService(store());
        const early = { ...ctx, now: T0 };
        // A live customers/update the page was read before: later than the page's copy.
        await service.upsert(early, ids.live, {
          email: 'live@example.com',
          tags: ['vip'],
          sourceUpdatedAt: at(8),
        });
        await service.upsert(early, ids.older, { email: 'older@example.com', sourceUpdatedAt: at(2) });
        await service.upsert(early, ids.untimed, { email: 'api@example.com', tags: ['vip'] });
      }
      const page: BatchCustomerFields[] = [
        { id: ids.live, email: 'page@example.com', name: 'Page', tags: [], sourceUpdatedAt: at(5) },
        { id: ids.older, email: 'o2@example.com', name: 'Olga', tags: ['vip'], sourceUpdatedAt: at(5) },
        { id: ids.untimed, email: 'u2@example.com', name: null, tags: [], sourceUpdatedAt: at(5) },
        { id: ids.fresh, email: 'f@example.com', name: 'Fay', tags: [], sourceUpdatedAt: at(5) },
      ];
      const liveBefore = await state(batched, ids.live);
      await oneByOne(single, page);
      expect(await write(batched, page)).toEqual({ created: 1, updated: 3 });
      for (const id of Object.values(ids)) {
        expect({ id, ...(await state(batched, id)) }).toEqual({ id, ...(await state(single, id)) });
      }
      // The live copy stays whole: fields, tier, tier changes and events as they were.
      const live = await state(batched, ids.live);
      expect(live).toEqual(liveBefore);
      expect(live.customer).toMatchObject({
        email: 'live@example.com',
        name: null,
        tags: ['vip'],
        tierId: 'vip',
      });
      expect((await state(batched, ids.older)).customer).toMatchObject({
        email: 'o2@example.com',
        tierId: 'vip',
      });
      expect((await state(batched, ids.untimed)).customer).toMatchObject({
        email: 'u2@example.com',
        tags: [],
      });
      // A later page applies.
      await write(batched, [
        { id: ids.live, email: 'l2@example.com', name: 'Liv', tags: [], sourceUpdatedAt: at(9) },
      ]);
      expect((await state(batched, ids.live)).customer).toMatchObject({ email: 'l2@example.com', tags: [] });
    });

    it('hands the evaluation each customer as written, with its tags before and its order facts', async () => {
      const scope = await program();
      const old = uid('old');
      await new CustomerService(store()).upsert({ program: await scope.program.get(), now: T0 }, old, {
        email: 'o@example.com',
        tags: ['vip'],
      });
      await scope.transaction(async (tx) => {
        await tx.orders.insert(order(uid('o'), old, { amount: 3_000, placedAt: at(-3 * 24 * 60) }));
        await tx.orders.insert(order(uid('o'), old, { amount: 2_000, placedAt: at(-60) }));
        await tx.orders.insert(order(uid('o'), old, { amount: 9_000, placedAt: at(60) }));
      });
      const fresh = uid('fresh');
      let seen: PageCustomer[] = [];
      let tierIds: string[] = [];
      await scope.shopifyCustomerBatch.writePage(
        [
          { id: old, email: 'o2@example.com', name: 'Olga', tags: [] },
          { id: fresh, email: null, name: null, tags: ['a', 'b'] },
        ],
        now,
        (tiers) => {
          tierIds = tiers.map((t) => t.id);
          return {
            orders: { windows: [{ key: 'P1D', from: at(-24 * 60) }], asOf: now },
            evaluate(customers) {
              seen = customers;
              return [];
            },
          };
        },
      );
      expect(tierIds).toEqual(['bronze', 'vip', 'big']);
      const byId = new Map(seen.map((c) => [c.id, c]));
      expect(byId.get(old)).toMatchObject({
        email: 'o2@example.com',
        tags: [],
        tierId: 'vip',
        before: { tags: ['vip'], tierTags: ['tier-vip'] },
        orders: { windowSpend: { P1D: 2_000 }, largestOrder: 3_000 },
      });
      expect(byId.get(fresh)).toMatchObject({
        email: null,
        tags: ['a', 'b'],
        segments: [],
        tierId: null,
        before: null,
        orders: { windowSpend: { P1D: 0 }, largestOrder: 0 },
        balances: { current: 0, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 },
      });
    });

    it('is one unit of work: an evaluation that throws leaves nothing of the page', async () => {
      const scope = await program();
      const old = uid('old');
      await new CustomerService(store()).upsert({ program: await scope.program.get(), now: T0 }, old, {
        email: 'o@example.com',
      });
      const before = await scope.customers.get(old);
      const fresh = uid('fresh');
      await expect(
        scope.shopifyCustomerBatch.writePage(
          [
            { id: old, email: 'new@example.com', name: 'N', tags: ['vip'] },
            { id: fresh, email: 'f@example.com', name: null, tags: [] },
          ],
          now,
          () => ({
            orders: null,
            evaluate() {
              throw new Error('the evaluation fails');
            },
          }),
        ),
      ).rejects.toThrow('the evaluation fails');
      expect(await scope.customers.get(old)).toEqual(before);
      expect(await scope.customers.get(fresh)).toBeNull();
    });

    it('is idempotent: the same page again changes nothing but the time of the write', async () => {
      const scope = await program();
      const page: BatchCustomerFields[] = [
        { id: uid('a'), email: 'a@example.com', name: 'A', tags: ['vip'] },
        { id: uid('b'), email: 'b@example.com', name: null, tags: [] },
      ];
      expect(await write(scope, page)).toEqual({ created: 2, updated: 0 });
      const first = await Promise.all(page.map((c) => state(scope, c.id)));
      expect(await write(scope, page, at(20))).toEqual({ created: 0, updated: 2 });
      const again = await Promise.all(page.map((c) => state(scope, c.id)));
      for (const [i, s] of again.entries()) {
        const was = first[i];
        expect(s.customer?.updatedAt).toEqual(at(20));
        expect({ ...s, customer: { ...s.customer, updatedAt: null } }).toEqual({
          ...was,
          customer: { ...was?.customer, updatedAt: null },
        });
      }
      expect(first[0]?.changes).toHaveLength(1);
    });

    it('writes only its own program: another program’s customer with the same id is untouched', async () => {
      const scope = await program();
      const other = await program();
      const id = uid('shared');
      await new CustomerService(store()).upsert({ program: await other.program.get(), now: T0 }, id, {
        email: 'theirs@example.com',
        name: 'Theirs',
        tags: ['y'],
      });
      const theirs = await state(other, id);
      expect(await write(scope, [{ id, email: 'ours@example.com', name: 'Ours', tags: ['vip'] }])).toEqual({
        created: 1,
        updated: 0,
      });
      expect(await state(other, id)).toEqual(theirs);
      expect((await scope.customers.get(id))?.email).toBe('ours@example.com');
      expect((await scope.customers.get(id))?.tierId).toBe('vip');
    });

    it('refuses a page naming one customer twice, writing nothing', async () => {
      const scope = await program();
      const id = uid('twice');
      await expect(
        write(scope, [
          { id, email: null, name: null, tags: [] },
          { id, email: 'x@example.com', name: null, tags: [] },
        ]),
      ).rejects.toThrow();
      expect(await scope.customers.get(id)).toBeNull();
      expect(await write(scope, [])).toEqual({ created: 0, updated: 0 });
    });
  });
}
