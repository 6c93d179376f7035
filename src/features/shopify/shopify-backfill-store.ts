/** What the Shopify backfill needs of storage (docs/decisions/0036, 0046). */
import type { ProgramRepository, Store } from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';
import type { ShopifyBackfillRepository } from '../../store/shopify-backfill-port.js';
import type { ShopifyCustomerBatchRepository } from '../../store/shopify-customer-batch-port.js';
import type { ShopifyRepository } from '../../store/shopify-port.js';

export interface ShopifyBackfillScope {
  shopify: Pick<ShopifyRepository, 'get'>;
  shopifyBackfill: ShopifyBackfillRepository;
  /** A page of the shop's customers in one transaction (docs/decisions/0051, amendment). */
  shopifyCustomerBatch: ShopifyCustomerBatchRepository;
  program: Pick<ProgramRepository, 'get'>;
}

export type ShopifyBackfillStore = ScopedStore<ShopifyBackfillScope> & Pick<Store, 'shopifyBackfills'>;
