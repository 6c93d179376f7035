/**
 * What the Shopify connector needs of storage (docs/decisions/0036, 0042): the program's
 * connection and webhook inbox, its program record (the context of a webhook), and the orders
 * refunds and cancellations reverse.
 */
import type { OrderRepository, ProgramRepository, Store } from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';
import type { ShopifyRepository } from '../../store/shopify-port.js';

export interface ShopifyScope {
  shopify: ShopifyRepository;
  program: Pick<ProgramRepository, 'get'>;
  orders: Pick<OrderRepository, 'get'>;
}

export type ShopifyStore = ScopedStore<ShopifyScope> & Pick<Store, 'shopifyShops'>;
