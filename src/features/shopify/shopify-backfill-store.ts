/** What the Shopify backfill needs of storage (docs/decisions/0036, 0046). */
import type { ProgramRepository, Store } from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';
import type { ShopifyBackfillRepository } from '../../store/shopify-backfill-port.js';
import type { ShopifyRepository } from '../../store/shopify-port.js';

export interface ShopifyBackfillScope {
  shopify: Pick<ShopifyRepository, 'get'>;
  shopifyBackfill: ShopifyBackfillRepository;
  program: Pick<ProgramRepository, 'get'>;
}

export type ShopifyBackfillStore = ScopedStore<ShopifyBackfillScope> & Pick<Store, 'shopifyBackfills'>;
