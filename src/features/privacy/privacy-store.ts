/**
 * What the privacy operations need of storage (docs/decisions/0036, 0043): the customer's records
 * for the export, the erasure, and — across programs — the deletion of a whole program.
 */
import type {
  CustomerRepository,
  LedgerRepository,
  OrderRepository,
  Store,
  TierChangeRepository,
  TierRepository,
} from '../../store/port.js';
import type { PrivacyRepository } from '../../store/privacy-port.js';
import type { ScopedStore } from '../../store/scoped-store.js';
import type { ShopifyRepository } from '../../store/shopify-port.js';

export interface PrivacyScope {
  customers: Pick<CustomerRepository, 'get'>;
  tiers: Pick<TierRepository, 'list' | 'titles'>;
  orders: Pick<OrderRepository, 'summary' | 'listByCustomer' | 'refundsOf'>;
  ledger: Pick<LedgerRepository, 'list'>;
  tierChanges: TierChangeRepository;
  privacy: PrivacyRepository;
  /** The Shopify deliveries and data-request exports about the customer (decision 0047). */
  shopify: Pick<ShopifyRepository, 'redactCustomer'>;
}

export interface PrivacyStore extends ScopedStore<PrivacyScope>, Pick<Store, 'deleteProgram'> {}
