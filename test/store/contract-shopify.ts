import type { ProgramScope } from '../../src/store/port.js';
import type { NewShopifyConnection } from '../../src/store/shopify-port.js';
import { at, newProgram, type StoreRef, T0, uid } from './contract-fixtures.js';

/**
 * The Shopify connection and webhook record (migration 032, docs/decisions/0042): one connection
 * per program, a shop domain held by one program at most, found across programs by its domain;
 * deliveries recorded once by their id.
 */
export function shopifyContract(store: StoreRef): void {
  describe('shopify', () => {
    let scope: ProgramScope;
    const connection = (
      shopDomain: string,
      more: Partial<NewShopifyConnection> = {},
    ): NewShopifyConnection => ({
      shopDomain,
      shopName: 'Shop',
      shopCurrency: 'USD',
      accessTokenSealed: 'sb1.k.a.b.c',
      webhookSecretSealed: 'sb1.k.d.e.f',
      earnOn: 'subtotal',
      includeTestOrders: false,
      subscriptions: [{ topic: 'ORDERS_PAID', id: 'gid://shopify/WebhookSubscription/1' }],
      state: 'connected',
      connectedAt: T0,
      ...more,
    });
    beforeEach(async () => {
      scope = await newProgram(store());
    });

    it('saves, replaces, updates and removes the one connection; finds it by domain', async () => {
      const domain = `${uid('shop').toLowerCase()}.myshopify.com`;
      expect(await scope.shopify.get()).toBeNull();
      expect(await scope.shopify.save(connection(domain), T0)).toBe(true);
      expect(
        await scope.shopify.save(connection(domain, { shopName: 'Renamed', earnOn: 'total' }), at(1)),
      ).toBe(true);
      const saved = await scope.shopify.get();
      expect(saved).toMatchObject({
        programId: scope.programId,
        shopDomain: domain,
        shopName: 'Renamed',
        earnOn: 'total',
      });
      expect(saved?.subscriptions).toEqual([
        { topic: 'ORDERS_PAID', id: 'gid://shopify/WebhookSubscription/1' },
      ]);
      expect(saved?.updatedAt).toEqual(at(1));
      await scope.shopify.update({ state: 'uninstalled', subscriptions: [] }, at(2));
      expect(await scope.shopify.get()).toMatchObject({
        state: 'uninstalled',
        subscriptions: [],
        shopName: 'Renamed',
      });
      expect((await store().shopifyShops.find(domain))?.programId).toBe(scope.programId);
      expect(await scope.shopify.remove()).toBe(true);
      expect(await scope.shopify.remove()).toBe(false);
      expect(await store().shopifyShops.find(domain)).toBeNull();
    });

    it('refuses a domain another program holds, changing nothing', async () => {
      const domain = `${uid('shop').toLowerCase()}.myshopify.com`;
      expect(await scope.shopify.save(connection(domain), T0)).toBe(true);
      const other = await newProgram(store());
      expect(await other.shopify.save(connection(domain), T0)).toBe(false);
      expect(await other.shopify.get()).toBeNull();
      // Moving an existing connection onto the held domain is refused too.
      const own = `${uid('shop').toLowerCase()}.myshopify.com`;
      expect(await other.shopify.save(connection(own), T0)).toBe(true);
      expect(await other.shopify.save(connection(domain), at(1))).toBe(false);
      expect((await other.shopify.get())?.shopDomain).toBe(own);
      expect((await store().shopifyShops.find(domain))?.programId).toBe(scope.programId);
    });

    it('records a delivery once, processed or not, and lists pending and by topic', async () => {
      const payload = { id: 1, email: 'a@example.com' };
      expect(
        await scope.shopify.receive({ webhookId: 'w1', topic: 'customers/redact', payload, receivedAt: T0 }),
      ).toBe(true);
      expect(
        await scope.shopify.receive({
          webhookId: 'w1',
          topic: 'customers/redact',
          payload: {},
          receivedAt: at(1),
        }),
      ).toBe(false);
      expect(
        await scope.shopify.receive({
          webhookId: 'w2',
          topic: 'orders/paid',
          payload: null,
          receivedAt: at(2),
          processed: { result: 'applied', detail: null, at: at(2) },
        }),
      ).toBe(true);
      expect((await scope.shopify.pending(10)).map((w) => w.webhookId)).toEqual(['w1']);
      await scope.shopify.processed('w1', 'recorded', null, at(3));
      expect(await scope.shopify.pending(10)).toEqual([]);
      expect(await scope.shopify.webhook('w1')).toMatchObject({
        payload,
        result: 'recorded',
        processedAt: at(3),
      });
      expect(await scope.shopify.webhook('w2')).toMatchObject({ payload: null, result: 'applied' });
      expect(await scope.shopify.webhook('w3')).toBeNull();
      expect((await scope.shopify.byTopic(['customers/redact'], 10)).map((w) => w.webhookId)).toEqual(['w1']);
      // Another program's deliveries are its own, even under the same id.
      const other = await newProgram(store());
      expect(
        await other.shopify.receive({ webhookId: 'w1', topic: 'orders/paid', payload, receivedAt: T0 }),
      ).toBe(true);
    });

    it('records a group of deliveries in one call: new ones stored, an unprocessed one completed, known ones left', async () => {
      const order = { id: 5, customer: { id: 7 } };
      const applied = { result: 'applied' as const, detail: null, at: at(5) };
      // Stored earlier: one unprocessed (a stop between store and effect), one processed.
      await scope.shopify.receive({
        webhookId: 'g-open',
        topic: 'orders/paid',
        payload: order,
        receivedAt: T0,
      });
      await scope.shopify.receive({
        webhookId: 'g-done',
        topic: 'orders/paid',
        payload: null,
        receivedAt: T0,
        processed: { result: 'ignored', detail: 'test_order', at: T0 },
      });
      expect(await scope.shopify.receiveMany([])).toEqual([]);
      const receipts = await scope.shopify.receiveMany([
        { webhookId: 'g-new', topic: 'orders/paid', payload: null, receivedAt: at(5), processed: applied },
        { webhookId: 'g-open', topic: 'orders/paid', payload: null, receivedAt: at(5), processed: applied },
        { webhookId: 'g-done', topic: 'orders/paid', payload: null, receivedAt: at(5), processed: applied },
        // The same delivery twice in one group (a retry while the first was in flight).
        {
          webhookId: 'g-new',
          topic: 'orders/paid',
          payload: { again: true },
          receivedAt: at(6),
          processed: { result: 'failed', detail: 'x', at: at(6) },
        },
        {
          webhookId: 'g-kept',
          topic: 'refunds/create',
          payload: { id: 9, note: 'it "quoted" \\ one' },
          receivedAt: at(5),
          processed: { result: 'failed', detail: 'refund_exceeds_order', at: at(5) },
        },
        { webhookId: 'g-open-2', topic: 'orders/paid', payload: order, receivedAt: at(5) },
      ]);
      expect(receipts).toEqual(['stored', 'completed', 'known', 'known', 'stored', 'stored']);
      expect(await scope.shopify.webhook('g-new')).toEqual({
        webhookId: 'g-new',
        topic: 'orders/paid',
        payload: null,
        receivedAt: at(5),
        processedAt: at(5),
        result: 'applied',
        detail: null,
      });
      // Completed: processed now, its stored payload kept.
      expect(await scope.shopify.webhook('g-open')).toMatchObject({
        payload: order,
        receivedAt: T0,
        processedAt: at(5),
        result: 'applied',
      });
      expect(await scope.shopify.webhook('g-done')).toMatchObject({ result: 'ignored', processedAt: T0 });
      expect(await scope.shopify.webhook('g-kept')).toMatchObject({
        payload: { id: 9, note: 'it "quoted" \\ one' },
        result: 'failed',
        detail: 'refund_exceeds_order',
      });
      expect((await scope.shopify.pending(10)).map((w) => w.webhookId)).toEqual(['g-open-2']);
      // Unprocessed and given without a result: left as it is.
      expect(
        await scope.shopify.receiveMany([
          { webhookId: 'g-open-2', topic: 'orders/paid', payload: null, receivedAt: at(7) },
        ]),
      ).toEqual(['known']);
      expect(await scope.shopify.webhook('g-open-2')).toMatchObject({ payload: order, processedAt: null });
      // Another program's deliveries are its own.
      const other = await newProgram(store());
      expect(
        await other.shopify.receiveMany([
          { webhookId: 'g-done', topic: 'orders/paid', payload: null, receivedAt: T0, processed: applied },
        ]),
      ).toEqual(['stored']);
    });

    it('keeps recorded privacy requests, a data request’s export once, and erases a customer from payloads and exports', async () => {
      const request = {
        shop_id: 954889,
        shop_domain: 'shop.myshopify.com',
        orders_requested: [299938],
        customer: { id: 191167, email: 'john@example.com', phone: '555-625-1199' },
        data_request: { id: 9999 },
      };
      const recorded = { result: 'recorded' as const, detail: null, at: T0 };
      await scope.shopify.receive({
        webhookId: 'dr1',
        topic: 'customers/data_request',
        payload: request,
        receivedAt: T0,
        processed: recorded,
      });
      await scope.shopify.receive({
        webhookId: 'o1',
        topic: 'orders/paid',
        payload: {
          id: 1,
          email: 'john@example.com',
          subtotal_price_set: { shop_money: { amount: '1.00', currency_code: 'USD' } },
          customer: { id: 191167, email: 'john@example.com', first_name: 'John' },
          billing_address: { name: 'John Smith' },
        },
        receivedAt: at(1),
        processed: { result: 'failed', detail: 'x', at: at(1) },
      });
      await scope.shopify.receive({
        webhookId: 'c1',
        topic: 'customers/update',
        payload: { id: 191167, email: 'john@example.com', first_name: 'John' },
        receivedAt: at(2),
        processed: { result: 'failed', detail: 'x', at: at(2) },
      });
      await scope.shopify.receive({
        webhookId: 'c2',
        topic: 'customers/update',
        payload: { id: 5, email: 'someone@example.com' },
        receivedAt: at(3),
        processed: { result: 'failed', detail: 'x', at: at(3) },
      });
      expect((await scope.shopify.recorded(10)).map((w) => w.webhookId)).toEqual(['dr1']);
      const doc = { customer: { id: '191167', email: 'john@example.com' }, ledger: [] };
      await scope.shopify.saveExport('dr1', doc);
      await scope.shopify.saveExport('dr1', { customer: { id: '191167' }, other: true });
      await scope.shopify.processed('dr1', 'applied', null, at(4));
      expect(await scope.shopify.recorded(10)).toEqual([]);
      expect(await scope.shopify.exportOf('dr1')).toEqual(doc);
      expect(await scope.shopify.exportOf('o1')).toBeNull();
      expect(await scope.shopify.dataRequests(10)).toEqual([
        {
          webhookId: 'dr1',
          dataRequestId: '9999',
          customerId: '191167',
          receivedAt: T0,
          processedAt: at(4),
          result: 'applied',
          detail: null,
          hasExport: true,
          erasedAt: null,
        },
      ]);

      expect(await scope.shopify.redactCustomer('191167', at(5))).toBe(3);
      expect(await scope.shopify.redactCustomer('191167', at(6))).toBe(0);
      expect(await scope.shopify.exportOf('dr1')).toBeNull();
      expect((await scope.shopify.dataRequests(10))[0]).toMatchObject({ hasExport: false, erasedAt: at(5) });
      expect((await scope.shopify.webhook('dr1'))?.payload).toEqual({
        shop_id: 954889,
        shop_domain: 'shop.myshopify.com',
        orders_requested: [299938],
        customer: { id: 191167 },
        data_request: { id: 9999 },
      });
      expect((await scope.shopify.webhook('o1'))?.payload).toEqual({
        id: 1,
        subtotal_price_set: { shop_money: { amount: '1.00', currency_code: 'USD' } },
        customer: { id: 191167 },
      });
      expect((await scope.shopify.webhook('c1'))?.payload).toEqual({ id: 191167 });
      // Another customer's delivery is untouched; an erased export is not stored again.
      expect((await scope.shopify.webhook('c2'))?.payload).toEqual({ id: 5, email: 'someone@example.com' });
      await scope.shopify.saveExport('dr1', doc);
      expect(await scope.shopify.exportOf('dr1')).toBeNull();
    });
  });
}
