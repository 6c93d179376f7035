/**
 * What the customers feature needs of storage, for one program (docs/decisions/0036): customers,
 * their ledger and tier history, and the upsert's unit of work, which stores the decided outcome.
 */
import type {
  CustomerRepository,
  LedgerRepository,
  OrderRepository,
  ProgramTx,
  TierChangeRepository,
  TierRepository,
} from '../../store/port.js';
import type { ScopedStore } from '../../store/scoped-store.js';

/** The upsert's unit of work. */
export type CustomerTx = Pick<ProgramTx, 'customers' | 'tiers' | 'orders' | 'outcomes'>;

export interface CustomerScope {
  customers: Pick<CustomerRepository, 'get' | 'search'>;
  tiers: Pick<TierRepository, 'list' | 'titles'>;
  orders: Pick<OrderRepository, 'summary'>;
  ledger: Pick<LedgerRepository, 'list'>;
  tierChanges: TierChangeRepository;
  transaction<T>(fn: (tx: CustomerTx) => Promise<T>): Promise<T>;
}

export type CustomerStore = ScopedStore<CustomerScope>;
