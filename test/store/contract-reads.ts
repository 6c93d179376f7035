import type { CustomerSearchQuery, ProgramScope } from '../../src/store/port.js';
import { order } from './contract-customers-orders.js';
import {
  appendEntries,
  at,
  entry,
  newCustomer,
  newProgram,
  outcome,
  placeCustomer,
  recordChange,
  type StoreRef,
  settings,
  T0,
  tierInput,
  uid,
} from './contract-fixtures.js';

/**
 * What the contract files of writes leave out: the program's schedule, clock and pass design,
 * listing programs, customer search (keyset pages, prefix, tier filter), batch customer reads,
 * order summaries and listings, the entries of an order, tier change history and tier titles.
 */
export function readContract(store: StoreRef): void {
  describe('program schedule, pass design and listing', () => {
    it('keeps scheduler bookkeeping: fields left out keep their value, a newer resync is not cleared', async () => {
      const scope = await newProgram(store());
      expect(await scope.program.schedule()).toEqual({ checkedAt: T0, resyncDueAt: null, resyncSeq: 0 });
      await scope.program.setSchedule({ checkedAt: at(10) });
      await scope.program.setSchedule({ resyncDueAt: at(12), resyncSeq: 1 });
      expect(await scope.program.schedule()).toEqual({
        checkedAt: at(10),
        resyncDueAt: at(12),
        resyncSeq: 1,
      });
      await scope.program.setSchedule({ resyncDueAt: at(14), resyncSeq: 2 });
      await scope.program.clearResync(1);
      expect(await scope.program.schedule()).toEqual({
        checkedAt: at(10),
        resyncDueAt: at(14),
        resyncSeq: 2,
      });
      await scope.program.clearResync(2);
      expect(await scope.program.schedule()).toEqual({ checkedAt: at(10), resyncDueAt: null, resyncSeq: 2 });
      await scope.program.setSchedule({ resyncDueAt: at(20) });
      await scope.program.setSchedule({ resyncDueAt: null });
      expect((await scope.program.schedule()).resyncDueAt).toBeNull();
      // Another program's bookkeeping is its own.
      expect(await (await newProgram(store())).program.schedule()).toMatchObject({
        resyncSeq: 0,
        resyncDueAt: null,
      });
    });

    it('stores the program’s pass design whole', async () => {
      const scope = await newProgram(store());
      expect(await scope.program.passDesign()).toEqual({});
      const design = { backgroundColor: '#101010', fields: [{ key: 'points', label: 'Points' }] };
      expect(await scope.program.setPassDesign(design, at(1))).toEqual(design);
      expect(await scope.program.passDesign()).toEqual(design);
      expect(await scope.program.setPassDesign({ logoText: 'Shop' }, at(2))).toEqual({ logoText: 'Shop' });
      expect(await scope.program.passDesign()).toEqual({ logoText: 'Shop' });
      expect(await (await newProgram(store())).program.passDesign()).toEqual({});
    });

    it('lists the programs of one mode', async () => {
      const live = await store().createProgram(
        { name: uid('Live'), mode: 'live', settings, clockNow: null, now: T0 },
        uid('keyhash'),
      );
      const test = await store().createProgram(
        { name: uid('Test'), mode: 'test', settings, clockNow: T0, now: T0 },
        uid('keyhash'),
      );
      const lives = await store().listPrograms('live');
      const tests = await store().listPrograms('test');
      expect(lives).toContainEqual(live);
      expect(tests).toContainEqual(test);
      expect(lives.every((p) => p.mode === 'live')).toBe(true);
      expect(tests.every((p) => p.mode === 'test')).toBe(true);
    });
  });

  describe('customer search and batch reads', () => {
    let scope: ProgramScope;
    let gold: string;
    /** Every page of a search, following its keys. */
    const allPages = async (query: Omit<CustomerSearchQuery, 'after'>): Promise<string[][]> => {
      const pages: string[][] = [];
      let after: string[] | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await scope.customers.search({ ...query, ...(after ? { after } : {}) });
        pages.push(page.items.map((c) => c.id));
        if (page.nextKey === null) return pages;
        after = page.nextKey;
      }
      throw new Error('too many pages');
    };
    beforeEach(async () => {
      scope = await newProgram(store());
      gold = (await scope.transaction((tx) => tx.tiers.create(uid('gold'), tierInput('Gold'), T0))).id;
      const people: [string, string | null, string | null, number][] = [
        ['ann', 'ann@shop.test', 'Ann Lee', 0],
        ['bob', 'bob@shop.test', 'Robert', 1],
        ['cy_1', null, 'Cyrus', 2],
        ['cyd', 'CY%D@shop.test', null, 3],
        ['dora', 'robin@shop.test', 'Dora', 3],
      ];
      await scope.transaction(async (tx) => {
        for (const [id, email, name, minute] of people)
          await tx.customers.upsert(id, { email, name }, at(minute));
        const placement = {
          tierTags: [],
          tierSince: T0,
          lastChangeReason: 'qualified' as const,
          bonusedTierIds: [],
        };
        for (const id of ['bob', 'dora']) await placeCustomer(tx, id, { ...placement, tierId: gold }, T0);
      });
    });

    it('pages everyone by id or newest first, with keys that continue exactly', async () => {
      expect(await allPages({ sort: 'id', limit: 2 })).toEqual([['ann', 'bob'], ['cy_1', 'cyd'], ['dora']]);
      // Newest first, ties (cyd and dora at the same instant) by id, descending.
      expect((await allPages({ sort: 'newest', limit: 2 })).flat()).toEqual([
        'dora',
        'cyd',
        'cy_1',
        'bob',
        'ann',
      ]);
      for (const limit of [1, 3, 5]) {
        expect((await allPages({ sort: 'newest', limit })).flat()).toEqual([
          'dora',
          'cyd',
          'cy_1',
          'bob',
          'ann',
        ]);
      }
      const exact = await scope.customers.search({ sort: 'id', limit: 5 });
      expect(exact.nextKey).toBeNull();
      expect(exact.items[0]).toEqual(await scope.customers.get('ann'));
      expect((await (await newProgram(store())).customers.search({ sort: 'id', limit: 5 })).items).toEqual(
        [],
      );
    });

    it('matches a lower-case prefix of id, email or name, wildcards literally, and filters by tier', async () => {
      const ids = async (q: Omit<CustomerSearchQuery, 'sort' | 'limit'>) =>
        (await allPages({ sort: 'id', limit: 2, ...q })).flat();
      expect(await ids({ prefix: 'rob' })).toEqual(['bob', 'dora']);
      expect(await ids({ prefix: 'cy' })).toEqual(['cy_1', 'cyd']);
      expect(await ids({ prefix: 'cy_' })).toEqual(['cy_1']);
      expect(await ids({ prefix: 'cy%' })).toEqual(['cyd']);
      expect(await ids({ prefix: 'ann l' })).toEqual(['ann']);
      expect(await ids({ prefix: 'lee' })).toEqual([]);
      expect(await ids({ tierId: gold })).toEqual(['bob', 'dora']);
      expect(await ids({ tierId: null })).toEqual(['ann', 'cy_1', 'cyd']);
      expect(await ids({ tierId: gold, prefix: 'rob' })).toEqual(['bob', 'dora']);
      expect(await ids({ tierId: null, prefix: 'r' })).toEqual([]);
      expect(await ids({ tierId: 'no-such-tier' })).toEqual([]);
    });

    it('reads the existing customers among many ids at once', async () => {
      const found = await scope.customers.getMany(['dora', 'nobody', 'ann', 'ann']);
      expect(found.map((c) => c.id).sort()).toEqual(['ann', 'dora']);
      expect(found.find((c) => c.id === 'dora')).toEqual(await scope.customers.get('dora'));
      expect(await scope.customers.getMany([])).toEqual([]);
      expect(await (await newProgram(store())).customers.getMany(['ann'])).toEqual([]);
    });
  });

  describe('order, ledger and tier change reads', () => {
    let scope: ProgramScope;
    let cid: string;
    beforeEach(async () => {
      scope = await newProgram(store());
      cid = await newCustomer(scope);
    });

    it('summarises net spend per window, the largest order and total spend as of an instant', async () => {
      await scope.transaction(async (tx) => {
        await tx.orders.insert(order('o1', cid, { amount: 9_000, placedAt: at(-3 * 24 * 60) }));
        await tx.orders.insert(order('o2', cid, { amount: 4_000, placedAt: at(-60) }));
        await tx.orders.insert(order('o3', cid, { amount: 50_000, placedAt: at(60) }));
        await tx.orders.updateRefunded('o2', 1_500, 0);
      });
      const windows = [
        { key: 'P1D', from: at(-24 * 60) },
        { key: 'P7D', from: at(-7 * 24 * 60) },
      ];
      expect(await scope.orders.summary(cid, { windows, asOf: T0 })).toEqual({
        windowSpend: { P1D: 2_500, P7D: 11_500 },
        largestOrder: 9_000,
        totalSpend: 11_500,
      });
      expect(await scope.orders.summary(cid, { windows: [], asOf: at(60) })).toEqual({
        windowSpend: {},
        largestOrder: 50_000,
        totalSpend: 61_500,
      });
      expect(await scope.orders.summary('nobody', { windows, asOf: T0 })).toEqual({
        windowSpend: { P1D: 0, P7D: 0 },
        largestOrder: 0,
        totalSpend: 0,
      });
    });

    it('lists a customer’s orders newest placed first, ties by id, in pages; and their refunds oldest first', async () => {
      const someoneElse = await newCustomer(scope);
      await scope.transaction(async (tx) => {
        await tx.orders.insert(order('a', cid, { placedAt: at(1) }));
        await tx.orders.insert(order('b', cid, { placedAt: at(2) }));
        await tx.orders.insert(order('c', cid, { placedAt: at(2) }));
        await tx.orders.insert(order('d', cid, { placedAt: at(0) }));
        await tx.orders.insert(order('other', someoneElse, { placedAt: at(5) }));
      });
      const ids: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await scope.orders.listByCustomer(cid, { limit: 3, ...(cursor ? { cursor } : {}) });
        ids.push(...page.items.map((o) => o.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(ids).toEqual(['c', 'b', 'a', 'd']);
      expect((await scope.orders.listByCustomer(cid, { limit: 1 })).items[0]).toEqual(
        await scope.orders.get('c'),
      );

      await scope.transaction(async (tx) => {
        await tx.refunds.insert({ id: 'r1', orderId: 'a', amount: 1, requestHash: 'h', response: null });
      });
      await scope.transaction(async (tx) => {
        await tx.refunds.insert({ id: 'r2', orderId: 'b', amount: 2, requestHash: 'h', response: null });
        await tx.refunds.insert({ id: 'r0', orderId: 'd', amount: 3, requestHash: 'h', response: null });
      });
      expect((await scope.orders.refundsOf(['a', 'b', 'c'])).map((r) => r.id)).toEqual(['r1', 'r2']);
      expect(await scope.orders.refundsOf([])).toEqual([]);
      expect(await (await newProgram(store())).orders.refundsOf(['a'])).toEqual([]);
    });

    it('finds the entries an order caused: its earn entry, the bonus written with it, its refunds', async () => {
      const earn = entry('order:o1', { current: 100, lifetimeEarned: 100 }, { orderId: 'o1' });
      const bonus = entry('bonus:o1', { current: 50, lifetimeEarned: 50 }, { type: 'bonus' });
      await scope.transaction((tx) =>
        tx.outcomes.storeWithOrder(order('o1', cid), outcome(cid, { entries: [earn, bonus] })),
      );
      await scope.transaction((tx) =>
        tx.outcomes.storeWithOrder(
          order('o2', cid),
          outcome(cid, { entries: [entry('order:o2', { current: 10 }, { orderId: 'o2', at: at(1) })] }),
        ),
      );
      await scope.transaction((tx) =>
        appendEntries(tx, cid, [
          entry('refund:r1', { current: -40 }, { type: 'refund_reversal', orderId: 'o1', at: at(2) }),
          entry('refund:r2', { current: -5 }, { type: 'refund_reversal', orderId: 'o1', at: at(3) }),
        ]),
      );
      expect((await scope.ledger.ofOrder('o1', ['r1'])).map((e) => e.key)).toEqual([
        'order:o1',
        'bonus:o1',
        'refund:r1',
      ]);
      expect((await scope.ledger.ofOrder('o2', ['r1', 'r2'])).map((e) => e.key)).toEqual([
        'order:o2',
        'refund:r1',
        'refund:r2',
      ]);
      expect(await scope.ledger.ofOrder('nope', [])).toEqual([]);
    });

    it('lists tier changes newest first in pages; tier titles keep deleted tiers', async () => {
      const change = {
        customerId: cid,
        fromTierId: null,
        toTierId: 't1',
        direction: 'up' as const,
        reason: 'qualified' as const,
        facts: { points: 1 },
      };
      await scope.transaction(async (tx) => {
        for (const minute of [1, 2, 3]) await recordChange(tx, { ...change, at: at(minute) });
      });
      const first = await scope.tierChanges.list(cid, { limit: 2 });
      expect(first.items.map((c) => c.at)).toEqual([at(3), at(2)]);
      expect(first.items[0]).toEqual({
        ...change,
        id: expect.any(String),
        at: at(3),
        createdAt: expect.any(Date),
      });
      const rest = await scope.tierChanges.list(cid, { limit: 2, cursor: first.nextCursor ?? '' });
      expect(rest).toEqual({ items: [expect.objectContaining({ at: at(1) })], nextCursor: null });
      expect((await (await newProgram(store())).tierChanges.list(cid, { limit: 5 })).items).toEqual([]);

      await scope.transaction(async (tx) => {
        await tx.tiers.create('silver', tierInput('Silver'), T0);
        await tx.tiers.create('gold', tierInput('Gold'), T0);
      });
      await scope.transaction((tx) => tx.tiers.remove('silver', at(1)));
      const titles = await scope.tiers.titles();
      expect([...titles].sort((a, b) => a.id.localeCompare(b.id))).toEqual([
        { id: 'gold', title: 'Gold', deleted: false },
        { id: 'silver', title: 'Silver', deleted: true },
      ]);
    });
  });
}
